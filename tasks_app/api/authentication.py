"""Token authentication with an expiry: a token older than API_TOKEN_TTL_SECONDS is refused (401)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from tasks_app.services.tokens import token_is_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            token.delete()
            raise AuthenticationFailed("令牌已过期,请重新获取令牌。")
        return user, token
