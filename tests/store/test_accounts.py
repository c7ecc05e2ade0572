"""Accounts: explicit sign-up, sign-in that never creates, and one namespace per provider.

The attack these pin down: OAuth people are ``"{provider}:{id}"`` (``github:octocat``); when a
password sign-in with an unknown name created the account, ``github:octocat`` with any
password became that person.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from store.db import make_engine, upgrade
from store.errors import InputError
from store.repositories import Store
from store.repositories.accounts import PASSWORD, _hash, name_problem
from store.tables import AccountRow


def test_sign_in_with_an_unknown_name_creates_nothing(store: Store) -> None:
    assert store.accounts.sign_in("amara", "correct horse battery") is False
    assert store.accounts.sign_in("amara", "correct horse battery") is False  # still nobody
    assert store.accounts.provider("amara") is None


def test_sign_up_then_sign_in(store: Store) -> None:
    assert store.accounts.sign_up("amara", "correct horse battery") == "amara"
    assert store.accounts.sign_in("amara", "correct horse battery") is True
    assert store.accounts.sign_in("amara", "wrong horse battery") is False
    assert store.accounts.provider("amara") == PASSWORD


def test_a_mistyped_name_is_not_a_second_account(store: Store) -> None:
    store.accounts.sign_up("amara", "correct horse battery")
    assert store.accounts.sign_in("amarra", "correct horse battery") is False
    assert store.accounts.provider("amarra") is None


def test_a_taken_name_cannot_be_signed_up_again(store: Store) -> None:
    store.accounts.sign_up("amara", "correct horse battery")
    with pytest.raises(InputError, match="taken"):
        store.accounts.sign_up("amara", "another long password")
    assert store.accounts.sign_in("amara", "correct horse battery") is True


@pytest.mark.parametrize("name", ["github:victim", "google:someone@example.org", "a:b", ":", "x:"])
def test_a_password_name_can_never_be_a_provider_identifier(store: Store, name: str) -> None:
    with pytest.raises(InputError, match="':'"):
        store.accounts.sign_up(name, "any long password")
    assert store.accounts.sign_in(name, "any long password") is False
    assert store.accounts.provider(name) is None


@pytest.mark.parametrize("name", ["github", "GitHub", "google", "password", "session", "user", "azure-ad"])
def test_a_provider_namespace_is_not_a_password_name(store: Store, name: str) -> None:
    with pytest.raises(InputError, match="reserved"):
        store.accounts.sign_up(name, "any long password")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "at least 2"),
        ("a", "at least 2"),
        ("x" * 65, "at most 64"),
        ("amara okafor", "letters, digits"),
        ("amara\n", "letters, digits"),
        ("<b>amara</b>", "letters, digits"),
    ],
)
def test_names_are_plain(name: str, problem: str) -> None:
    assert problem in (name_problem(name) or "")


@pytest.mark.parametrize("name", ["amara", "amara.okafor@example.org", "kenji_s", "núria-p", "李明"])
def test_ordinary_names_and_emails_are_fine(name: str) -> None:
    assert name_problem(name) is None


def test_a_short_password_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="at least 8"):
        store.accounts.sign_up("amara", "short")
    assert store.accounts.provider("amara") is None


def test_an_oauth_person_is_recorded_with_their_provider_and_has_no_password(store: Store) -> None:
    assert store.accounts.record_external("github", "octocat") == "github:octocat"
    assert store.accounts.record_external("github", "octocat") == "github:octocat"  # again: no error
    assert store.accounts.provider("github:octocat") == "github"
    # no password opens an account that a provider vouches for
    assert store.accounts.sign_in("github:octocat", "") is False
    assert store.accounts.sign_in("github:octocat", "any long password") is False
    with store.engine.connect() as connection:
        row = connection.execute(select(AccountRow).where(AccountRow.identifier == "github:octocat")).one()
    assert row.provider == "github"
    assert row.password_hash is None


def test_password_accounts_store_only_a_scrypt_hash(store: Store) -> None:
    store.accounts.sign_up("amara", "correct horse battery")
    with store.engine.connect() as connection:
        row = connection.execute(select(AccountRow)).one()
    assert row.provider == PASSWORD
    assert row.password_hash.startswith("scrypt$")
    assert "correct horse battery" not in row.password_hash


def test_a_row_made_through_the_hole_before_0006_opens_nothing(database_url: str) -> None:
    """Before revision 0006, signing in as ``github:victim`` stored a password row: after the
    upgrade it signs nobody in, and the real GitHub person's first sign-in takes it over."""
    engine = make_engine(database_url)
    upgrade(engine, "0005")
    with engine.begin() as connection:
        for name in ("github:victim", "amara"):
            connection.execute(
                text("INSERT INTO accounts (identifier, password_hash, created_at) VALUES (:i, :h, :c)"),
                {"i": name, "h": _hash("any long password", b"0" * 16), "c": datetime.now(UTC)},
            )
    upgrade(engine)
    store = Store(engine)
    assert store.accounts.provider("amara") == PASSWORD
    assert store.accounts.sign_in("amara", "any long password") is True  # real accounts keep working
    assert store.accounts.sign_in("github:victim", "any long password") is False
    assert store.accounts.record_external("github", "victim") == "github:victim"
    assert store.accounts.provider("github:victim") == "github"
    store.dispose()
