"""Manage Open311 API keys: `apikey create --name … --owner …`, `apikey revoke PREFIX`, `apikey list`."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from appeals.models import ApiKey
from appeals.open311.keys import create_api_key, revoke_api_key


class Command(BaseCommand):
    help = "Create, revoke or list the API keys third-party apps use to file requests through Open311."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="Create a key and print it (once: only its hash is kept).")
        create.add_argument("--name", required=True, help="The app's name.")
        create.add_argument("--owner", required=True, help="Who answers for the app: organisation and contact.")
        create.add_argument("--rate", default="60/min", help="Rate limit, e.g. 60/min (default), 1000/hour.")
        create.add_argument(
            "--publishes", default=ApiKey.Publishes.NEVER, choices=ApiKey.Publishes.values,
            help="never (default): requests are never published; when_asked: published when the resident asked "
            "(publish=true), as the app's terms with its users allow.",
        )
        revoke = commands.add_parser("revoke", help="Revoke a key from now on.")
        revoke.add_argument("prefix", help="The key's prefix (the part before the dot).")
        commands.add_parser("list", help="List keys (prefixes only; the keys themselves are not stored).")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, name: str, owner: str, rate: str, publishes: str, **_options):
        try:
            api_key, raw = create_api_key(name=name, owner=owner, rate_limit=rate, publishes=publishes)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Created API key {api_key.prefix} for {api_key.name} ({api_key.rate_limit}).")
        self.stdout.write("Give this key to the app now; it is stored only as a hash and cannot be shown again:")
        self.stdout.write(raw)

    def _revoke(self, *, prefix: str, **_options):
        api_key = ApiKey.objects.filter(prefix=prefix.split(".")[0]).first()
        if api_key is None:
            raise CommandError(f"No API key with prefix {prefix}.")
        if revoke_api_key(api_key=api_key):
            self.stdout.write(f"Revoked API key {api_key.prefix} ({api_key.name}).")
        else:
            self.stdout.write(f"API key {api_key.prefix} was already revoked on {api_key.revoked_at:%Y-%m-%d %H:%M}.")

    def _list(self, **_options):
        for api_key in ApiKey.objects.order_by("created_at"):
            state = f"revoked {api_key.revoked_at:%Y-%m-%d}" if api_key.revoked_at else "active"
            used = f"{api_key.last_used_at:%Y-%m-%d %H:%M}" if api_key.last_used_at else "never"
            self.stdout.write(
                f"{api_key.prefix}  {state:<18} {api_key.rate_limit:<10} used {used:<16} "
                f"{api_key.name} — {api_key.owner}"
            )
