"""Credential hygiene that must hold whichever face changes a password or ends a session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import pre_save
from django.dispatch import receiver

from tasks_app.services.tokens import token_revoke_all


@receiver(pre_save, sender=get_user_model())
def revoke_tokens_on_password_change(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    # Admin form, changepassword, set_password()+save(): every path saves the user with a new hash.
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        token_revoke_all(user=instance)


@receiver(user_logged_out)
def revoke_tokens_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        token_revoke_all(user=user)
