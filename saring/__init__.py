"""Saring: digital literacy lessons and quizzes in Indonesian and English."""

import functools
import os

import click
from flask import Flask

from . import (
    accounts,
    admin,
    assets,
    backup,
    classes,
    content,
    discernment,
    editing,
    i18n,
    learning,
    limits,
    offline,
    pagecache,
    privacy,
    quizzes,
    reviews,
    security,
    sessions,
    site,
)
from .config import PROJECT_ROOT, SERVING_COMMANDS, Config, validate
from .content.cli import content_cli
from .database import engine_options, init_database, init_migrations
from .extensions import babel, compress, csrf, db, login_manager
from .logs import init_logging


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, content, blueprints."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=None,  # served by saring.assets under hashed names
    )
    command = click.get_current_context(silent=True)
    command_name = command.info_name if command is not None else None
    app.config.update(Config.from_env(command=command_name))
    if test_config:
        app.config.update(test_config)
    validate(app.config)
    # WSGI layers, innermost first: the request log, the proxy's headers (saring.security)
    init_logging(app, failure_answer=functools.partial(site.failure_answer, app))
    os.makedirs(app.instance_path, exist_ok=True)

    serving = command is None  # a `flask` command (a migration) may take long
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        statement_timeout_ms=int(app.config["DATABASE_STATEMENT_TIMEOUT_MS"]) if serving else 0,
        lock_timeout_ms=int(app.config["DATABASE_LOCK_TIMEOUT_MS"]) if serving else 0)
    db.init_app(app)
    init_database(app)
    init_migrations(app, PROJECT_ROOT / "migrations")
    security.init_app(app)
    editing.init_app(app)  # before CSRFProtect, which reads forms
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app, babel)
    # a server logs the content's problems once at start; a `flask` command (content check) reports its own
    content.init_app(app, editing.PublishedContent(lambda: db.engine),
                     log_problems=command_name is None or command_name in SERVING_COMMANDS)
    pagecache.init_app(app)
    sessions.init_app(app)
    reviews.init_app(app)
    app.cli.add_command(content_cli)
    app.cli.add_command(admin.users_cli)
    app.cli.add_command(backup.backup_command)

    for feature in (site, accounts, sessions, learning, quizzes, reviews, discernment, classes, admin, editing,
                    offline, privacy):
        app.register_blueprint(feature.bp)
    site.register_error_handlers(app)
    limits.init_app(app)  # after the blueprints: it limits some of their views
    compress.init_app(app)
    assets.init_app(app)
    return app
