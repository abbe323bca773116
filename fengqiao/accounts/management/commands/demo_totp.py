from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.accounts.otp import current_token
from fengqiao.accounts.views import base32_secret
from fengqiao.core.demo import MEDIATORS, STAFF


class Command(BaseCommand):
    help = "Print each demo staff user's TOTP secret (base32, for an authenticator app) and the code it shows now."

    def handle(self, *args, **options):
        usernames = [row[0] for row in STAFF] + [row[0] for row in MEDIATORS]
        devices = {
            d.user.username: d
            for d in TOTPDevice.objects.filter(user__username__in=usernames, name="demo").select_related("user")
        }
        if not devices:
            raise CommandError("No demo users with a TOTP device: load the demo first (./fq manage seed_demo).")
        width = max(len(u) for u in devices)
        self.stdout.write(f"{'user':<{width}}  {'secret (base32)':<32}  code")
        for username in usernames:
            device = devices.get(username)
            if device is None:
                continue
            self.stdout.write(f"{username:<{width}}  {base32_secret(device.bin_key):<32}  {current_token(device)}")
        self.stdout.write("")
        self.stdout.write(
            "Codes change every 30 seconds. Issuer: Fengqiao; add a key by hand as a time-based (TOTP) key."
        )
