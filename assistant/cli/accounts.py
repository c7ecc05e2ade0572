"""`mingle accounts add NAME`: an operator makes a password account (MINGLE_AUTH=password)
without the sign-up page. The same rules as the page: a plain name (never ':'), a password of
at least 8 characters, asked twice and never echoed."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.common import err
from assistant.settings import load_settings

accounts_app = typer.Typer(help="Password accounts (MINGLE_AUTH=password).", no_args_is_help=True)


@accounts_app.command("add")
def add(name: Annotated[str, typer.Argument(help="The name to sign in with (no ':').")]) -> None:
    """Create a password account; the password is asked twice and never echoed."""
    from assistant.services import open_store

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = open_store(load_settings())
    try:
        identifier = store.accounts.sign_up(name.strip(), password)
    finally:
        store.dispose()
    err.print(f"account {identifier!r} created: it signs in on the app's sign-in page")
