"""Load benchmark on the production stack: PostgreSQL + Redis + gunicorn (4 sync workers), province-scale data.

Run: .venv/bin/python tests/benchmarks/load.py [--scale 1] [--clients 8,32,64] [--duration 60] [--json]

It starts its own PostgreSQL cluster and Redis server on 127.0.0.1 (temporary directories, ports of its own),
builds the data of tests/benchmarks/province.py, starts gunicorn, then drives a bounded closed loop: each client
sends one request, waits for the answer, sends the next. The mix: 70% staff API (task list, item, report read,
report save with the version just read), 20% office (dashboard, review queue, division page, the office's own
``/``), 10% admin lists (500-row API pages, the cycles page). Every step runs for ``--duration`` seconds;
it prints req/s, p50/p95/p99 per endpoint and overall, errors by status and the load average. With ``--json``
the last line is one object: ``{"runs": [{"clients", "rps", "p50_ms", "p95_ms", "p99_ms", "staff_p99_ms",
"errors", "endpoints": {name: {"p99_ms", "n"}}}], "load_avg"}``. Everything it started is stopped at the end.
``--alone`` also times each office page alone (10 sequential requests, median) before the load steps.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the parts -------------------------------------------------------------------------------------


class Stack:
    """PostgreSQL, Redis and gunicorn, each a child process; ``stop`` ends exactly these."""

    def __init__(self, workdir: Path, *, pg_port: int, workers: int, code: Path) -> None:
        self.dir = workdir
        self.pg_port = pg_port
        self.workers = workers
        self.code = code
        self.pg_bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1])
        self.redis: subprocess.Popen | None = None
        self.gunicorn: subprocess.Popen | None = None
        self.pg_started = False
        self.web_port = free_port()
        self.redis_port = free_port()

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="planner.settings",
            DATABASE_URL=f"postgres://planner@{HOST}:{self.pg_port}/planner",
            REDIS_URL=f"redis://{HOST}:{self.redis_port}/0",
            SECRET_KEY="load-benchmark-" + "k" * 50,
            DEBUG="false",
            ALLOWED_HOSTS=HOST,
            SECURE_SSL_REDIRECT="false",
            VAR_DIR=str(self.dir / "var"),
            LOG_LEVEL="WARNING",
            API_TOKEN_TTL_SECONDS="86400",
            PYTHONPATH=str(self.code),
        )
        env.pop("EMAIL_HOST", None)
        return env

    def as_pg(self, command: list) -> list:
        """PostgreSQL refuses to run as root: as root, run its tools as the postgres user."""
        return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command

    def start_databases(self) -> None:
        pg_dir = self.dir / "pgroot"
        pg_dir.mkdir()
        data = pg_dir / "data"
        if os.getuid() == 0:
            self.dir.chmod(0o755)
            shutil.chown(pg_dir, "postgres")
        subprocess.run(
            self.as_pg(
                [self.pg_bin / "initdb", "-D", data, "-U", "planner", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-k {pg_dir} -h {HOST} -p {self.pg_port} -F -c shared_buffers=256MB -c max_connections=200 -c work_mem=16MB"  # as docs/deploy.md
        subprocess.run(
            self.as_pg([self.pg_bin / "pg_ctl", "-D", data, "-l", pg_dir / "log", "-w", "-o", options, "start"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.pg_started = True
        subprocess.run(
            self.as_pg([self.pg_bin / "createdb", "-h", HOST, "-p", str(self.pg_port), "-U", "planner", "planner"]),
            check=True,
        )
        self.redis = subprocess.Popen(
            ["redis-server", "--bind", HOST, "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )

    def build(self, scale: float) -> dict[str, Any]:
        generator = ROOT / "tests" / "benchmarks" / "province.py"
        done = subprocess.run(
            [PYTHON, generator, "--scale", str(scale)],
            env=self.env,
            cwd=self.code,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=self.env, cwd=self.code, check=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start_web(self) -> None:
        self.gunicorn = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "planner.wsgi",
                "-w",
                str(self.workers),
                "-b",
                f"{HOST}:{self.web_port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=self.code,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = request(self.web_port, "GET", "/accounts/login/", {})
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        for proc in (self.gunicorn, self.redis):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.pg_started:
            subprocess.run(
                self.as_pg([self.pg_bin / "pg_ctl", "-D", self.dir / "pgroot" / "data", "-m", "fast", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )


# --- the clients -----------------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None, timeout: float = 60
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": HOST, **headers})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


STAFF = {"staff_tasks", "staff_item", "staff_report_read", "staff_report_save"}
# endpoint → weight (percent of the requests); a report save always follows the read of that report.
MIX = {
    "staff_tasks": 20,
    "staff_item": 15,
    "staff_report_read": 15,  # +15 reads before each save: 70% staff in all
    "staff_report_save": 20,
    "office_dashboard": 4,
    "office_dashboard_api": 3,
    "office_review": 3,
    "office_review_api": 4,
    "office_division": 3,
    "office_home": 3,
    "admin_tasks_500": 4,
    "admin_reports_500": 3,
    "admin_cycles": 3,
}


class Client(threading.Thread):
    def __init__(self, number: int, port: int, fixture: dict, stop_at: float, results: list) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.fx = fixture
        self.staff = fixture["staff"][number % len(fixture["staff"])]
        self.rng = random.Random(number)
        self.stop_at = stop_at
        self.results = results
        self.versions: dict[int, int] = {}

    def send(self, name: str, method: str, path: str, headers: dict[str, str], payload: Any = None) -> bytes | None:
        body = json.dumps(payload).encode() if payload is not None else None
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        started = time.perf_counter()
        try:
            status, data = request(self.port, method, path, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            status, data = type(exc).__name__, b""
        self.results.append((name, (time.perf_counter() - started) * 1000, status))
        return data if status == 200 else None

    def step(self) -> None:
        fx = self.fx
        staff = {"Authorization": f"Token {self.staff['token']}"}
        office = {"Cookie": f"sessionid={fx['office']['admin']['session']}"}
        office_api = {"Authorization": f"Token {fx['office']['admin']['token']}"}
        cycle, plan = fx["open_cycle"], fx["plan"]
        name = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if name == "staff_tasks":
            self.send(name, "GET", f"/api/tasks/?page={self.rng.randint(1, 3)}", staff)
        elif name == "staff_item":
            self.send(name, "GET", f"/api/tasks/{self.rng.choice(self.staff['items'])}/", staff)
        elif name in ("staff_report_read", "staff_report_save"):
            report = self.rng.choice(self.staff["drafts"])
            data = self.send("staff_report_read", "GET", f"/api/reports/{report}/", staff)
            if name == "staff_report_save" and data:
                version = json.loads(data)["version"]
                text = f"进展 {self.rng.random():.6f}"
                self.send(name, "PATCH", f"/api/reports/{report}/", staff, {"progress": text, "version": version})
        elif name == "office_dashboard":
            self.send(name, "GET", f"/console/dashboard/?cycle={cycle}", office)
        elif name == "office_dashboard_api":
            self.send(name, "GET", f"/api/console/cycles/{cycle}/dashboard/", office_api)
        elif name == "office_review":
            self.send(name, "GET", f"/console/review/?cycle={cycle}", office)
        elif name == "office_review_api":
            self.send(name, "GET", "/api/console/review/", office_api)
        elif name == "office_division":
            self.send(name, "GET", f"/console/division/?plan={plan}&page={self.rng.randint(1, 5)}", office)
        elif name == "office_home":
            self.send(name, "GET", "/", office)
        elif name == "admin_tasks_500":
            self.send(name, "GET", f"/api/tasks/?plan={plan}&page_size=500&page={self.rng.randint(1, 5)}", office_api)
        elif name == "admin_reports_500":
            self.send(name, "GET", f"/api/reports/?cycle={fx['closed_cycle']}&page_size=500", office_api)
        elif name == "admin_cycles":
            self.send(name, "GET", "/console/cycles/", office)

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            self.step()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def drive(port: int, fixture: dict, *, clients: int, duration: float) -> dict[str, Any]:
    results: list[tuple[str, float, Any]] = []
    started = time.monotonic()
    threads = [Client(n, port, fixture, started + duration, results) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    elapsed = time.monotonic() - started
    by_endpoint: dict[str, list[float]] = defaultdict(list)
    errors: Counter = Counter()
    for name, ms, status in results:
        by_endpoint[name].append(ms)
        if status != 200:
            errors[str(status)] += 1
    every = [ms for _, ms, _ in results]
    staff = [ms for name, ms, _ in results if name in STAFF]
    return {
        "clients": clients,
        "rps": round(len(results) / elapsed, 1),
        "p50_ms": round(percentile(every, 0.50), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "p99_ms": round(percentile(every, 0.99), 1),
        "staff_p99_ms": round(percentile(staff, 0.99), 1),
        "errors": sum(errors.values()),
        "errors_by_status": dict(errors),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "endpoints": {
            name: {
                "n": len(values),
                "p50_ms": round(percentile(values, 0.50), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "p99_ms": round(percentile(values, 0.99), 1),
            }
            for name, values in sorted(by_endpoint.items())
        },
    }


def alone(port: int, fixture: dict, repeat: int = 10) -> dict[str, float]:
    """Median time of each office page requested alone (nothing else in flight)."""
    office = {"Cookie": f"sessionid={fixture['office']['admin']['session']}"}
    office_api = {"Authorization": f"Token {fixture['office']['admin']['token']}"}
    cycle, plan = fixture["open_cycle"], fixture["plan"]
    pages = {
        "review_api": ("/api/console/review/", office_api),
        "review_web": (f"/console/review/?cycle={cycle}", office),
        "dashboard_web": (f"/console/dashboard/?cycle={cycle}", office),
        "dashboard_api": (f"/api/console/cycles/{cycle}/dashboard/", office_api),
        "office_home": ("/", office),
        "division": (f"/console/division/?plan={plan}", office),
        "item_page": (f"/items/{fixture['staff'][0]['items'][0]}/", office),
        "tasks_500": (f"/api/tasks/?plan={plan}&page_size=500", office_api),
    }
    found = {}
    for name, (path, headers) in pages.items():
        request(port, "GET", path, headers)  # warm
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            status, _ = request(port, "GET", path, headers)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
        found[name] = round(statistics.median(times), 1)
    return found


def print_run(run: dict[str, Any]) -> None:
    print(
        f"\n== {run['clients']} clients: {run['rps']} req/s  p50 {run['p50_ms']} ms  p95 {run['p95_ms']} ms  "
        f"p99 {run['p99_ms']} ms  staff p99 {run['staff_p99_ms']} ms  errors {run['errors_by_status'] or 0}  "
        f"load {run['load_avg']}"
    )
    print(f"   {'endpoint':<22}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, row in run["endpoints"].items():
        print(f"   {name:<22}{row['n']:>7}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['p99_ms']:>10}")


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 50,000 items, 300 units")
    parser.add_argument("--clients", default="8,32,64")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pg-port", type=int, default=0, help="0: a free port")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--alone", action="store_true", help="also time each office page alone")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupted)  # a killed benchmark still stops what it started (finally below)
    workdir = Path(tempfile.mkdtemp(prefix="planner-load."))
    stack = Stack(workdir, pg_port=args.pg_port or free_port(), workers=args.workers, code=args.code.resolve())
    runs = []
    try:
        log(f"starting PostgreSQL on {stack.pg_port} and Redis on {stack.redis_port} in {workdir}")
        stack.start_databases()
        started = time.monotonic()
        fixture = stack.build(args.scale)
        log(f"built {fixture['counts']} in {time.monotonic() - started:.0f} s")
        stack.start_web()
        log(f"gunicorn ({args.workers} sync workers) on {stack.web_port}")
        solo = alone(stack.web_port, fixture) if args.alone else None
        if solo:
            print("alone (median of 10, ms): " + "  ".join(f"{k} {v}" for k, v in solo.items()))
        for clients in (int(c) for c in args.clients.split(",")):
            log(f"{clients} clients for {args.duration:.0f} s")
            run = drive(stack.web_port, fixture, clients=clients, duration=args.duration)
            print_run(run)
            runs.append(run)
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    load_avg = [round(x, 2) for x in os.getloadavg()]
    print(f"\nload average at the end: {load_avg}  data: {fixture['counts']}")
    if args.json:
        summary = {
            "runs": [{k: v for k, v in run.items() if k not in ("errors_by_status", "load_avg")} for run in runs],
            "load_avg": load_avg,
            "alone_ms": solo,
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
