"""./fq test --faults — kill the web server and the worker with -9 under a load of submissions, then check that
nothing acknowledged was lost or doubled and that every due notification went out once.

    ./fq test --faults                                   # SQLite (about a minute)
    DATABASE_URL=postgres://…/any ./fq test --faults      # PostgreSQL: a temporary database beside that one
    ./fq test --faults --submissions 400 --seconds 30 --kills 3 --keep

Everything runs on 127.0.0.1, in a temporary FQ_VAR_DIR with its own database (SQLite, or a temporary
PostgreSQL database created on the server DATABASE_URL names and dropped afterwards):

1. migrate; seed the Guangming organisation (fengqiao.core.demo's loaders), operators with phone numbers in the
   centres that hold the cases and above, create a partner API client, and submit `--due` cases whose review deadline will fall due during
   the run (the sweep then sends overdue alerts and escalations by SMS);
2. start a local SMS gateway (it records every delivery with its Idempotency-Key), gunicorn (2 processes) and the
   worker (`./fq worker`: the scheduler sweeping every 2 s and the database task worker), each in its own
   process group;
3. send `--submissions` cases to POST /api/v1/cases over `--seconds` seconds from 4 client threads, each with
   its Idempotency-Key; a submission without an answer (connection refused or reset, 5xx) is sent again with
   the same key until it is acknowledged (201);
4. `--kills` times during the load: SIGKILL to the whole process group of the web server and of the worker
   (no clean shutdown, requests and tasks cut mid-way), then start both again;
5. wait until the worker has caught up, then check: every acknowledged submission is there exactly once
   (its key's record names its case, one case per key); every due deadline was alerted and escalated once
   (one timeline line, one notice per person); every SMS of the outbox was sent, and the gateway received each
   key (a message resent because its worker was killed between sending and recording carries the same key, so
   the gateway keeps it once; such repeats are counted).

Stops everything it started, also on failure or Ctrl-C. The last line starts with `summary`; exit status 1 when a
check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COMMUNITY = "440311001001"  # 光明街道 光明社区: held by its community centre, whose demo staff get the SMS
CLIENT_THREADS = 4
STAFF_UNITS = ("光明社区群众诉求服务中心", "光明街道群众诉求服务大厅", "光明区群众诉求服务大厅")


def say(message: str) -> None:
    print(f"[faults] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the SMS gateway ---------------------------------------------------------------------------------------


class Gateway:
    """An SMS gateway on 127.0.0.1 that records each delivery (its Idempotency-Key) and answers 200."""

    def __init__(self):
        self.deliveries: list[str] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key") or "(none) " + body.decode("utf-8", "replace")[:80]
                with gateway.lock:
                    gateway.deliveries.append(key)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- processes in their own groups --------------------------------------------------------------------------


class Group:
    """A child process in its own process group (a new session), killed as a whole."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with open(self.log, "ab") as out:
            out.write(f"\n--- start {self.starts} ---\n".encode())
            self.proc = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                         start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def wait_for_web(base: str, web: Group, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not web.alive():
            raise RuntimeError(f"the web server stopped on its own (see {web.log})")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 - 127.0.0.1
                return
        except urllib.error.HTTPError:
            return  # it answers (503 names a part that is not ready, which is fine here)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web server did not answer within {timeout:.0f} s (see {web.log})")


# --- set-up in this process (the same database the children use) ----------------------------------------------


def _django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def _seed(due: int) -> tuple[str, int, list[int]]:
    """Organisation, staff with phones, a partner key and `due` cases; returns (key, client pk, case pks)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from fengqiao.api.services import api_client_create
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import Party
    from fengqiao.core import demo
    from fengqiao.org.loaders import load_district
    from fengqiao.org.models import OrgUnit, Region, Role
    from fengqiao.org.services import staff_user_create

    load_district(demo.GM)
    demo.load_categories()
    # Operators (with phones, for the SMS) of the centre that holds the cases and of the centres above it.
    for i, unit in enumerate(STAFF_UNITS):
        user = staff_user_create(username=f"fault_op_{i}", password=uuid.uuid4().hex, name=f"值班员{i}",
                                 memberships=[(OrgUnit.objects.get(name=unit), Role.OPERATOR)])
        user.phone = f"1390000{i:04d}"
        user.save(update_fields=["phone"])
    client, key = api_client_create(name="故障测试", scopes=["cases"],
                                    memberships=[(OrgUnit.objects.get(name="光明区群众诉求服务大厅"), "operator")])
    region = Region.objects.get(code=COMMUNITY)
    pks = []
    for i in range(due):
        case = cs.case_submit(
            channel="hotline", service_type="complaint", title=f"到期测试 {i:03d}",
            description=f"小区门口的路灯坏了两个星期，晚上很黑（到期测试 {i:03d}）。", region=region,
            parties=[cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone=f"1381234{i:04d}")],
        )
        pks.append(case.pk)
    return key, client.pk, pks


def _fall_due(case_pks: list[int], start: float, span: float) -> int:
    """Make the open deadline of each case fall due (then escalate a second later) at moments spread over the run."""
    from django.db import connections
    from django.utils import timezone

    from fengqiao.sla.models import Deadline, DeadlineState

    now = timezone.now()
    n = 0
    for i, pk in enumerate(case_pks):
        at = now + timedelta(seconds=start + span * i / max(len(case_pks), 1))
        n += Deadline.objects.filter(case_id=pk, state=DeadlineState.OPEN).update(
            remind_at=at - timedelta(seconds=1), due_at=at, escalate_at=at + timedelta(seconds=1))
    connections.close_all()
    return n


# --- the load ------------------------------------------------------------------------------------------------


class Load:
    def __init__(self, base: str, key: str, n: int, seconds: float, marker: str):
        self.base, self.key, self.n, self.seconds, self.marker = base, key, n, seconds, marker
        self.keys = [f"{marker}-{i:04d}-{uuid.uuid4().hex[:8]}" for i in range(n)]
        self.acked: dict[str, str] = {}
        self.attempts = Counter()
        self.errors = Counter()
        self.refused: dict[str, str] = {}
        self.in_flight = 0
        self.lock = threading.Lock()
        self.next = 0
        self.started = 0.0
        self.give_up = 0.0
        self.acked_after_restart: list[int] = []  # acknowledgements between one restart and the next kill (or the end)

    def body(self, i: int) -> bytes:
        return json.dumps({
            "service_type": "complaint", "title": f"故障测试 {i:03d}",
            "description": f"楼下餐馆油烟很大，晚上十点后还在营业，影响居民休息。编号 {self.keys[i]}",
            "community_code": COMMUNITY, "people_count": 1,
            "parties": [{"role": "applicant", "name": "李建国", "phone": f"1371234{i:04d}"}],
        }, ensure_ascii=False).encode()

    def send(self, i: int) -> None:
        key, body = self.keys[i], self.body(i)
        while time.monotonic() < self.give_up:
            self.attempts[key] += 1
            request = urllib.request.Request(  # noqa: S310 - 127.0.0.1
                f"{self.base}/api/v1/cases", data=body, method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.key}",
                         "Idempotency-Key": key, "Accept-Language": "en"})
            with self.lock:
                self.in_flight += 1
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    answer = json.loads(response.read())
                    with self.lock:
                        self.acked[key] = answer["code"]
                    return
            except urllib.error.HTTPError as exc:
                self.errors[f"HTTP {exc.code}"] += 1
                if exc.code < 500 and exc.code != 429:
                    self.refused[key] = exc.read().decode("utf-8", "replace")[:300]
                    return
            except (OSError, ValueError) as exc:  # refused, reset, timed out: no answer, so send again
                self.errors[type(exc).__name__] += 1
            finally:
                with self.lock:
                    self.in_flight -= 1
            time.sleep(0.3)

    def warm_up(self, timeout: float) -> None:
        """One submission outside the load, so that the web server has loaded its models before the clock starts."""
        self.give_up = time.monotonic() + timeout
        key = f"warm-{uuid.uuid4().hex[:8]}"
        self.keys.append(key)
        self.send(len(self.keys) - 1)
        self.keys.pop()
        if key not in self.acked:
            raise RuntimeError(f"the web server acknowledged no submission within {timeout:.0f} s")
        del self.acked[key]

    def worker(self) -> None:
        while True:
            with self.lock:
                i = self.next
                if i >= self.n:
                    return
                self.next += 1
            wait = self.started + self.seconds * i / self.n - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.send(i)

    def run(self, give_up_after: float) -> list[threading.Thread]:
        self.started = time.monotonic()
        self.give_up = self.started + self.seconds + give_up_after
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(CLIENT_THREADS)]
        for t in threads:
            t.start()
        return threads


# --- the checks ----------------------------------------------------------------------------------------------


def check(load: Load, client_pk: int, due_pks: list[int], gateway: Gateway) -> tuple[dict, list[str]]:
    from django.db import connections

    from fengqiao.cases.models import Case, CaseEvent
    from fengqiao.cases.workflow import Action
    from fengqiao.intake.models import IdempotencyRecord
    from fengqiao.notifications.models import Notification, OutboxMessage, OutboxStatus
    from fengqiao.sla.models import Deadline

    connections.close_all()
    problems: list[str] = []
    records = {r.key: r for r in IdempotencyRecord.objects.filter(scope=f"api:{client_pk}", key__in=load.keys)}
    lost = duplicated = 0
    for key, code in load.acked.items():
        record = records.get(key)
        cases = Case.objects.filter(description__endswith=f"编号 {key}").values_list("code", flat=True)
        if record is None or record.body.get("code") != code or list(cases) != [code]:
            if not cases:
                lost += 1
                problems.append(f"acknowledged {key} as {code} but it is not there")
            else:
                duplicated += len(cases) > 1
                problems.append(f"{key}: acknowledged {code}, found {list(cases)} (record {record and record.body})")
    # Never acknowledged (the client gave up at its time limit): allowed, but at most once in the database.
    unacked = [k for k in load.keys if k not in load.acked and k not in load.refused]
    for key in unacked:
        if Case.objects.filter(description__endswith=f"编号 {key}").count() > 1:
            duplicated += 1
            problems.append(f"{key} (never acknowledged) is in the database more than once")
    if load.acked_after_restart and min(load.acked_after_restart) == 0:
        problems.append(f"no submission acknowledged after a restart ({load.acked_after_restart})")
    load_cases = Case.objects.filter(description__contains=f"编号 {load.marker}-").count()
    if not len(load.acked) <= load_cases <= len(load.acked) + len(unacked) + len(load.refused):
        problems.append(f"{load_cases} cases of this load in the database, {len(load.acked)} acknowledged")
    for key, text in list(load.refused.items())[:3]:
        problems.append(f"{key} refused: {text}")

    deadlines = list(Deadline.objects.filter(case_id__in=due_pks))
    not_fired = [d.pk for d in deadlines if d.alerted_at is None or d.escalated_at is None]
    if not_fired:
        problems.append(f"{len(not_fired)} due deadlines not alerted or escalated, e.g. {not_fired[:3]}")
    events = Counter(CaseEvent.objects.filter(case_id__in=due_pks, action__in=[
        Action.DEADLINE_OVERDUE, Action.DEADLINE_ESCALATED]).values_list("case_id", "action"))
    doubled_events = [k for k, n in events.items() if n > 1]
    if doubled_events:
        problems.append(f"{len(doubled_events)} deadline lines written twice, e.g. {doubled_events[:3]}")
    keys = [f"deadline:{d.pk}:{what}" for d in deadlines for what in ("overdue", "escalated")]
    notices = Counter(Notification.objects.filter(key__in=keys).values_list("key", "recipient_id"))
    doubled_notices = [k for k, n in notices.items() if n > 1]
    if doubled_notices:
        problems.append(f"{len(doubled_notices)} notices given twice to the same person")
    sms = list(OutboxMessage.objects.filter(channel="sms", key__regex=r"^deadline:").filter(
        key__in=[f"{k}:sms:{r}" for k, r in notices]))
    unsent = [m.key for m in sms if m.status != OutboxStatus.SENT]
    if unsent:
        problems.append(f"{len(unsent)} SMS not sent, e.g. {unsent[:3]}")
    with gateway.lock:
        delivered = Counter(gateway.deliveries)
    missing = [m.key for m in sms if m.key not in delivered]
    if missing:
        problems.append(f"{len(missing)} SMS never reached the gateway, e.g. {missing[:3]}")
    # Other SMS the platform sends on its own during the run (a red early warning raised by the burst of
    # submissions, say) are fine, as long as the outbox holds them: the gateway must never get a message it did not.
    known = set(OutboxMessage.objects.filter(channel="sms", key__in=list(delivered)).values_list("key", flat=True))
    strangers = [k for k in delivered if k not in known]
    if strangers:
        problems.append(f"{len(strangers)} deliveries the outbox does not know, e.g. {strangers[:3]}")
    figures = {
        "submissions": load.n, "acknowledged": len(load.acked), "unacknowledged": len(unacked),
        "lost": lost, "duplicated": duplicated,
        "resent": sum(n - 1 for n in load.attempts.values()),
        "due_deadlines": len(deadlines), "notices": len(notices), "sms": len(sms),
        "sms_delivered_once": sum(1 for m in sms if delivered.get(m.key) == 1),
        "gateway_repeats": sum(n - 1 for n in delivered.values()),
    }
    connections.close_all()
    return figures, problems


def wait_for_worker(due_pks: list[int], timeout: float) -> None:
    """Until every due deadline is alerted and escalated and the outbox has nothing left to send."""
    from django.db import connections

    from fengqiao.notifications.models import OutboxMessage, OutboxStatus
    from fengqiao.sla.models import Deadline

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pending = (Deadline.objects.filter(case_id__in=due_pks).filter(alerted_at__isnull=True).count()
                   + Deadline.objects.filter(case_id__in=due_pks).filter(escalated_at__isnull=True).count()
                   + OutboxMessage.objects.exclude(status__in=[OutboxStatus.SENT, OutboxStatus.FAILED]).count())
        connections.close_all()
        if not pending:
            return
        time.sleep(1)


# --- main ----------------------------------------------------------------------------------------------------


def _pg_database(url: str, create: bool, name: str = "") -> str:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as pg:
        if create:
            name = f"fq_faults_{uuid.uuid4().hex[:10]}"
            pg.execute(f'CREATE DATABASE "{name}"')
        else:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./fq test --faults", description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0, help="the load is spread over this long")
    parser.add_argument("--kills", type=int, default=2, help="how many times web and worker are killed with -9")
    parser.add_argument("--due", type=int, default=30, help="cases whose deadline falls due during the run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    args = parser.parse_args(argv)

    began = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="fq-faults-"))
    var = tmp / "var"
    var.mkdir()
    if (ROOT / "var" / "static").is_dir():
        (var / "static").symlink_to(ROOT / "var" / "static")  # collected by ./fq setup; the API needs none
    gateway = Gateway()
    base_url = os.environ.get("DATABASE_URL", "")
    pg_name = ""
    web = worker = None
    ok = False
    try:
        models = os.environ.get("FQ_MODEL_DIR") or str(ROOT / "var" / "models")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update({
            "DJANGO_SETTINGS_MODULE": "fengqiao.settings", "FQ_ENV": "development", "DEBUG": "0",
            "FQ_VAR_DIR": str(var), "FQ_MODEL_DIR": models, "PYTHONUNBUFFERED": "1",
            "FQ_NOTIFY_MODE": "live", "FQ_SMS_WEBHOOK_URL": gateway.url, "FQ_SCHEDULER_INTERVAL": "2",
            "FQ_OUTBOX_CLAIM_SECONDS": "15", "FQ_API_RATE": "100000/m", "FQ_STAFF_2FA": "1",
        })
        if base_url.startswith("postgres"):
            pg_name = _pg_database(base_url, create=True)
            env["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + "/" + pg_name
        engine = "postgresql" if pg_name else "sqlite"
        say(f"{engine} database in {pg_name or var}; SMS gateway at {gateway.url}")
        _django(env)
        key, client_pk, due_pks = _seed(args.due)
        from django.db import connections

        connections.close_all()
        say(f"seeded in {time.monotonic() - began:.0f} s: {len(due_pks)} cases will fall due during the run")

        base = f"http://127.0.0.1:{port}"
        web = Group("web", [PY, "-m", "gunicorn", "fengqiao.wsgi:application", "--bind", f"127.0.0.1:{port}",
                            "--workers", "2", "--timeout", "60", "--graceful-timeout", "2"], env, tmp / "web.log")
        worker = Group("worker", [str(ROOT / "fq"), "worker"], env, tmp / "worker.log")
        web.start()
        worker.start()
        wait_for_web(base, web)
        _fall_due(due_pks, start=1.0, span=args.seconds * 0.8)

        load = Load(base, key, args.submissions, args.seconds, marker=uuid.uuid4().hex[:6])
        say(f"load: {args.submissions} submissions over {args.seconds:.0f} s; {args.kills} kill(s) -9 of web and worker")
        load.warm_up(timeout=120)
        threads = load.run(give_up_after=60)
        kills = []
        ready = load.started  # when the web server last came up
        for k in range(args.kills):
            # Mid-way through the acknowledged stream: once the k-th share of the submissions is acknowledged, or (on
            # a slow machine) once the server has acknowledged something since it came up and had 20 s more.
            target = args.submissions * (k + 1) / (args.kills + 1)
            before = kills[-1]["acked"] if kills else 0
            while len(load.acked) < target:
                served = len(load.acked) > before
                if (served and time.monotonic() > ready + 20) or time.monotonic() > ready + 120:
                    break
                time.sleep(0.05)
            if k:
                load.acked_after_restart.append(len(load.acked) - before)
            in_flight, acked = load.in_flight, len(load.acked)
            web.kill()
            worker.kill()
            kills.append({"at_s": round(time.monotonic() - load.started, 1), "in_flight": in_flight, "acked": acked})
            say(f"kill -9 #{k + 1} at {kills[-1]['at_s']} s: {in_flight} requests in flight, {acked} acknowledged")
            time.sleep(1.0)
            down = time.monotonic()
            web.start()
            worker.start()
            wait_for_web(base, web)
            ready = time.monotonic()
            load.give_up = max(load.give_up, ready + 60)  # the clients keep sending for a minute after the last restart
            kills[-1]["down_s"] = round(ready - down + 1.0, 1)
        for t in threads:
            t.join()
        if kills:
            load.acked_after_restart.append(len(load.acked) - kills[-1]["acked"])
        load_seconds = time.monotonic() - load.started
        say(f"load done in {load_seconds:.0f} s; waiting for the worker to catch up")
        wait_for_worker(due_pks, timeout=60)
        figures, problems = check(load, client_pk, due_pks, gateway)
        figures.update({"engine": engine, "kills": len(kills), "errors_seen": dict(load.errors),
                        "seconds": round(time.monotonic() - began)})
        print(f"engine {engine}; kills {json.dumps(kills)}")
        print(f"client-side failures that were resent: {json.dumps(dict(load.errors))}")
        for name, value in figures.items():
            if name not in {"errors_seen", "engine"}:
                print(f"  {name:<20} {value}")
        for problem in problems:
            print(f"PROBLEM: {problem}")
        ok = not problems
        print("summary " + " ".join(f"{k}={v}" for k, v in figures.items() if k != "errors_seen")
              + f" result={'ok' if ok else 'FAILED'}")
    except KeyboardInterrupt:
        say("interrupted")
    finally:
        for group in (web, worker):
            if group is not None:
                group.kill()
        gateway.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        if pg_name:
            _pg_database(base_url, create=False, name=pg_name)
        if args.keep or not ok:
            say(f"logs and database kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
