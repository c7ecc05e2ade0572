"""Password logins for MINGLE_AUTH=password."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import delete

from store.repositories.base import Repository
from store.tables import AccountRow


class AccountRepository(Repository):
    """Password logins. Hashes are scrypt (n=2**14, r=8, p=1) with a 16-byte salt."""

    N, R, P = 2**14, 8, 1

    def _hash(self, password: str, salt: bytes) -> str:
        digest = hashlib.scrypt(password.encode(), salt=salt, n=self.N, r=self.R, p=self.P, dklen=32)
        return f"scrypt${self.N}${self.R}${self.P}${salt.hex()}${digest.hex()}"

    def sign_in(self, identifier: str, password: str, *, create: bool = True) -> bool:
        """True when the password matches; an unknown identifier signs up (when ``create``)."""
        with self._session() as session:
            row = session.get(AccountRow, identifier)
            if row is None:
                if not create:
                    return False
                stored = self._hash(password, secrets.token_bytes(16))
                session.add(
                    AccountRow(identifier=identifier, password_hash=stored, created_at=datetime.now(UTC))
                )
                return True
            _, n, r, p, salt, _digest = row.password_hash.split("$")
            expected = hashlib.scrypt(
                password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
            ).hex()
            return hmac.compare_digest(expected, _digest)

    def delete(self, identifier: str) -> None:
        with self._session() as session:
            session.execute(delete(AccountRow).where(AccountRow.identifier == identifier))
