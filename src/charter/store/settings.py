"""The service's configuration: environment variables, optionally from a `.env`-style file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from charter.errors import CharterError

DEFAULT_DATABASE = "sqlite:///charter.db"
_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*")


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: bytes | None
    webhook_secret: bytes | None
    public_url: str | None
    smtp_url: str | None
    github_api_url: str
    github_app_id: str | None
    github_private_key_file: str | None
    #: The preset a repository's project starts with when the App is installed on it.
    github_preset: str = "llama-stack"
    # The dashboard's "sign in with GitHub" (an OAuth App; off until both are set).
    github_client_id: str | None = None
    github_client_secret: str | None = None
    github_web_url: str = "https://github.com"

    def require_secret(self) -> bytes:
        if self.secret_key is None:
            raise CharterError("CHARTER_SECRET_KEY is not set; set it to a long random value "
                               "(it signs sessions and derives ballot tokens), for example "
                               "`export CHARTER_SECRET_KEY=$(python3 -c 'import secrets; "
                               "print(secrets.token_hex(32))')`")
        return self.secret_key


def read_env_file(path: str | Path) -> dict[str, str]:
    """KEY=VALUE lines (quotes stripped, `#` comments and blank lines skipped)."""
    out: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CharterError(f"cannot read the env file: {err}", file=str(path)) from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise CharterError("expected KEY=VALUE", file=str(path), line=number)
        value = match[2]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[match[1]] = value
    return out


def load_settings(env_file: str | Path | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ENVIRON (default: the process environment) over ENV_FILE's values."""
    values = {**(read_env_file(env_file) if env_file else {}), **(environ or os.environ)}

    def get(name: str) -> str | None:
        value = values.get(name)
        return value if value else None

    secret = get("CHARTER_SECRET_KEY")
    if secret is not None and len(secret) < 16:
        raise CharterError("CHARTER_SECRET_KEY is too short: use at least 16 characters "
                           "(32 random bytes as hex is best)")
    url = get("CHARTER_DATABASE_URL") or DEFAULT_DATABASE
    if not url.startswith(("sqlite:", "postgresql", "postgres:")):
        raise CharterError(f"CHARTER_DATABASE_URL {url.split(':', 1)[0]!r} is not supported: "
                           "use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
    smtp = get("CHARTER_SMTP_URL")
    if smtp is not None and not smtp.startswith("smtp://"):
        raise CharterError("CHARTER_SMTP_URL must look like smtp://host:port")
    webhook = get("CHARTER_WEBHOOK_SECRET")
    preset = get("CHARTER_GITHUB_PRESET") or "llama-stack"
    from charter.policy.loader import PRESETS

    if preset not in PRESETS:
        raise CharterError(f"CHARTER_GITHUB_PRESET {preset[:60]!r} is not a preset: use one of "
                           f"{', '.join(PRESETS)}")
    return Settings(
        database_url=url,
        secret_key=secret.encode() if secret else None,
        webhook_secret=webhook.encode() if webhook else None,
        public_url=get("CHARTER_PUBLIC_URL"),
        smtp_url=smtp,
        github_api_url=get("CHARTER_GITHUB_API_URL") or "https://api.github.com",
        github_app_id=get("CHARTER_GITHUB_APP_ID"),
        github_private_key_file=get("CHARTER_GITHUB_PRIVATE_KEY_FILE"),
        github_preset=preset,
        github_client_id=get("CHARTER_GITHUB_CLIENT_ID"),
        github_client_secret=get("CHARTER_GITHUB_CLIENT_SECRET"),
        github_web_url=get("CHARTER_GITHUB_WEB_URL") or "https://github.com",
    )
