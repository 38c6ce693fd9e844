"""Word 97 (.doc) → .docx with LibreOffice headless: the one piece of intake that runs a program.

Kept apart from the pure parsers: it writes a temporary directory and starts ``soffice`` with its own
throw-away profile (so parallel conversions never fight over one user profile) and a timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .types import ParseError

TIMEOUT_SECONDS = 90
INSTALL_HINT = (
    "无法读取 .doc:服务器未安装 LibreOffice (apt-get install libreoffice-writer-nogui),或请另存为 .docx 后上传"
)


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_document(data: bytes, *, suffix: str, target: str, timeout: int = TIMEOUT_SECONDS) -> bytes:
    """Convert ``data`` (a file ending in ``suffix``) to ``target`` ("docx", "pdf") and return the bytes."""
    program = soffice_path()
    if program is None:
        raise ParseError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="planner-convert-") as work:
        source = Path(work) / f"source{suffix}"
        source.write_bytes(data)
        profile = Path(work) / "profile"
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            work,
            str(source),
        ]
        try:
            subprocess.run(
                command,
                cwd=work,
                capture_output=True,
                timeout=timeout,
                check=False,
                env={**os.environ, "HOME": work},
            )
        except subprocess.TimeoutExpired:
            raise ParseError(f"文件转换超时({timeout} 秒),文件可能已损坏 (conversion timed out)") from None
        result = Path(work) / f"source.{target.split(':', 1)[0]}"
        if not result.exists() or result.stat().st_size == 0:
            raise ParseError("LibreOffice 无法转换此文件:文件可能已损坏或加密 (conversion failed)")
        return result.read_bytes()


def doc_to_docx(data: bytes) -> bytes:
    return convert_document(data, suffix=".doc", target="docx")
