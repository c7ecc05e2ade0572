"""Accounts for MINGLE_AUTH=password: explicit sign-up, sign-in that never creates, and one
namespace per way of signing in.

    identifier          who vouches for it     password_hash
    amara               password               scrypt$…
    github:octocat      github (OAuth)         none

A password name never holds ``:`` and never equals a provider's name, so no password account
can ever be an OAuth person (``github:octocat``), and the conversation owners built from them
(``user:{identifier}``) never meet either. Signing in with an unknown name creates nothing: a
typo must not become a second account.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from store.errors import InputError
from store.repositories.base import Repository
from store.tables import AccountRow

PASSWORD = "password"  # the provider of password accounts
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
MIN_NAME, MAX_NAME = 2, 64
# Names that are another way of signing in: Chainlit's OAuth providers, and the owner prefixes
# of the chat app ("user:…", "session:…"), compared case-blind.
RESERVED = frozenset(
    {
        PASSWORD,
        "user",
        "session",
        "local",
        "oauth",
        "github",
        "google",
        "azure-ad",
        "azure-ad-hybrid",
        "okta",
        "auth0",
        "descope",
        "aws-cognito",
        "gitlab",
        "keycloak",
        "generic",
    }
)
_NAME = re.compile(r"[\w.@+-]+")  # letters and digits of any script, and . _ @ + -
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a password account's name, or None when it can."""
    if ":" in name:
        return "a name cannot contain ':' (it is kept for sign-in providers, as in github:octocat)"
    if len(name) < MIN_NAME:
        return f"a name needs at least {MIN_NAME} characters"
    if len(name) > MAX_NAME:
        return f"a name has at most {MAX_NAME} characters"
    if not _NAME.fullmatch(name):
        return "a name is letters, digits, '.', '_', '-', '@' and '+' only (no spaces)"
    if name.casefold() in RESERVED:
        return f"the name {name!r} is reserved for a way of signing in: choose another"
    return None


def _hash(password: str, salt: bytes) -> str:
    n, r, p = _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def _matches(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    expected = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    ).hex()
    return hmac.compare_digest(expected, digest)


class _RecordedMeanwhile(Exception):
    """Another sign-in of the same OAuth person inserted the row first (rolled back, harmless)."""


class AccountRepository(Repository):
    """Logins. Password hashes are scrypt (n=2**14, r=8, p=1) with a 16-byte salt."""

    def sign_up(self, name: str, password: str) -> str:
        """Create a password account; its identifier is the name. InputError says why not."""
        if problem := name_problem(name):
            raise InputError(problem)
        if len(password) < MIN_PASSWORD:
            raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
        if len(password) > MAX_PASSWORD:
            raise InputError(f"a password has at most {MAX_PASSWORD} characters")
        taken = f"the name {name!r} is taken: choose another, or sign in if it is yours"
        stored = _hash(password, secrets.token_bytes(16))
        with self._session() as session:
            if session.get(AccountRow, name) is not None:
                raise InputError(taken)
            session.add(
                AccountRow(
                    identifier=name, provider=PASSWORD, password_hash=stored, created_at=datetime.now(UTC)
                )
            )
            try:
                session.flush()
            except IntegrityError:  # the same name signed up a moment ago
                raise InputError(taken) from None
        return name

    def sign_in(self, identifier: str, password: str) -> bool:
        """True when ``identifier`` is a password account and the password matches. Never creates."""
        if ":" in identifier or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            return False  # a provider's namespace, or no password we would have accepted: no scrypt
        with self._session() as session:
            row = session.get(AccountRow, identifier)
            if row is None or row.provider != PASSWORD or row.password_hash is None:
                return False
            return _matches(password, row.password_hash)

    def record_external(self, provider: str, subject: str) -> str:
        """An OAuth provider vouched for ``subject``: their account is ``{provider}:{subject}``,
        with no password. A password row under that identifier (made through the hole this
        namespace closes) loses its password to the provider."""
        if not provider or ":" in provider or provider == PASSWORD:
            raise InputError(f"{provider!r} is not a sign-in provider")
        identifier = f"{provider}:{subject}"
        try:
            with self._session() as session:
                row = session.get(AccountRow, identifier)
                if row is None:
                    session.add(
                        AccountRow(identifier=identifier, provider=provider, created_at=datetime.now(UTC))
                    )
                    try:
                        session.flush()
                    except IntegrityError:
                        raise _RecordedMeanwhile from None
                else:
                    row.provider, row.password_hash = provider, None
        except _RecordedMeanwhile:
            pass  # the same person signed in twice at once: the row is there
        return identifier

    def provider(self, identifier: str) -> str | None:
        """Who vouches for this account, or None when there is none."""
        with self._session() as session:
            row = session.get(AccountRow, identifier)
            return None if row is None else row.provider

    def delete(self, identifier: str) -> None:
        with self._session() as session:
            session.execute(delete(AccountRow).where(AccountRow.identifier == identifier))
