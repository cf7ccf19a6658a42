"""Flask CLI commands (`flask --app app ...`)."""
import click
from flask import current_app
from flask.cli import AppGroup


def register_cli(app):
    from app.jobs.worker import register_job_cli
    register_job_cli(app)

    process_group = AppGroup("processes", help="Diagrammes BPMN : chargement des versions.")

    @process_group.command("sync")
    def sync_command():
        """Store a new version of every bpmn/*.bpmn file that changed."""
        from app.engine import processes
        created = processes.sync_process_files(current_app.config["BPMN_DIR"])
        for version in created:
            click.echo(f"{version.process_key} : version {version.version} enregistrée")
        if not created:
            click.echo("Processus à jour.")

    @process_group.command("export")
    @click.argument("directory", type=click.Path(file_okay=False))
    def export_command(directory):
        """Write the version in service of each process to DIRECTORY/<key>.bpmn, and the form
        specs published from the browser to DIRECTORY/forms/<form_key>.yaml."""
        from app.services import process_admin
        for path in process_admin.export_files(directory):
            click.echo(f"{path} écrit")

    demo_group = AppGroup("demo", help="Données de démonstration.")

    @demo_group.command("seed")
    def seed_command():
        """Create the demo organisations, accounts and applications (demo mode only, idempotent)."""
        from app import demo
        if not current_app.config["DEMO_MODE"]:
            raise click.ClickException("Mode démo inactif : lancez avec PARCOURS_DEMO=1.")
        if demo.seed(current_app.config["BPMN_DIR"]):
            click.echo(f"Démo créée. Mot de passe de tous les comptes : {demo.DEMO_PASSWORD}")
        else:
            click.echo("Démo déjà présente : rien à faire.")

    app.cli.add_command(process_group)
    app.cli.add_command(demo_group)
