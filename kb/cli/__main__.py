"""The `kb` console script: Flask's CLI group around create_app, with kb's commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from kb import create_app
from kb.cli import errors as cli_errors


class KBGroup(FlaskGroup):
    """FlaskGroup that reports expected failures as one line, including while it builds the app
    (a read-only or full instance folder fails there, before any command runs)."""

    def invoke(self, ctx: click.Context) -> object:
        return cli_errors.reporting(super().invoke)(ctx)


@click.group(
    cls=KBGroup,
    create_app=create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """kb: the city prevention practice knowledge base."""


main.add_command(shell_command)
main.add_command(routes_command)


if __name__ == "__main__":
    main()
