"""What every step shares: the run context it gets, the result it returns, the task it becomes.

A step is a plain function ``step(ctx, ...) -> SomeResult``: testable without Prefect, given a
``RunContext``. ``as_task`` turns it into a Prefect task that times it, logs its result and
returns it; the flow adds each result into ``RunStats`` by field name. Counting and timing
therefore happen here only (the model is datatrove's PipelineStep with its inherited stats).
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ParamSpec, TypeVar

from flows.config import RunConfig
from warehouse.store import Warehouse

# Crash-test hook: SIGKILL this process at a chosen step boundary, optionally after a delay so
# the kill lands inside whatever runs next: "STEP:start|end[:NTH[:DELAY_SECONDS]]", e.g.
# "extract-entities:end:2:0.1". Unset (always, outside tests) it costs one dict lookup per step.
KILL_AT = "WIREHOUSE_KILL_AT"


@dataclass(frozen=True)
class RunContext:
    """What every step of one run needs; small and picklable, so it travels to Dask workers."""

    wh: Warehouse
    run_id: str
    config: RunConfig


@dataclass
class StepResult:
    """A step's own counts (int fields named as RunStats' fields) and seconds per stage.

    Fields that are not ints (paths, decisions) are the step's output for the next step;
    ``RunStats.add`` only sums the ints.
    """

    seconds: dict[str, float] = field(default_factory=dict, kw_only=True)

    def counts(self) -> dict[str, int]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "seconds" and type(getattr(self, f.name)) is int
        }

    def describe(self) -> str:
        """One log line: the counts that are not zero."""
        return (
            ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in self.counts().items() if v)
            or "nothing to do"
        )


R = TypeVar("R", bound=StepResult)
P = ParamSpec("P")


def as_task(stage: str, name: str, **options: Any) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a step function a Prefect task named ``name`` whose time counts toward ``stage``.

    Seconds the step recorded for other stages (load splits off clean) are subtracted, so every
    second of the run is counted once. Nothing is cached (the inputs are files that change).
    """
    from prefect import get_run_logger, task
    from prefect.cache_policies import NO_CACHE

    def decorate(step: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(step)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            _kill_hook(name, "start")
            t0 = time.perf_counter()
            result = step(*args, **kwargs)
            elapsed = time.perf_counter() - t0
            other = sum(v for k, v in result.seconds.items() if k != stage)
            result.seconds[stage] = result.seconds.get(stage, 0.0) + max(0.0, elapsed - other)
            get_run_logger().info("%s: %s", name, result.describe())
            _kill_hook(name, "end")
            return result

        return task(run, name=name, cache_policy=NO_CACHE, **options)

    return decorate


_hook_calls: Counter[str] = Counter()


def _kill_hook(name: str, when: str) -> None:
    target = os.environ.get(KILL_AT)
    if not target:
        return
    step, moment, nth, delay = (target.split(":") + ["", "", "", ""])[:4]
    if step != name or (moment or "start") != when:
        return
    _hook_calls[f"{name}:{when}"] += 1
    if _hook_calls[f"{name}:{when}"] != int(nth or 1):
        return
    if not float(delay or 0):
        os.kill(os.getpid(), signal.SIGKILL)
    timer = threading.Timer(float(delay), os.kill, (os.getpid(), signal.SIGKILL))
    timer.daemon = True
    timer.start()


@dataclass
class RunStats:
    """Counts and seconds of one run: the sums of its steps' results, and the runs row's columns."""

    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_rejected: int = 0
    files_ignored: int = 0
    files_missing: int = 0
    records_rejected: int = 0
    articles: int = 0
    canonical: int = 0
    duplicates: int = 0
    repointed: int = 0
    mentions: int = 0
    entities: int = 0
    stories: int = 0
    seconds: Counter[str] = field(default_factory=Counter)

    def add(self, result: R) -> R:
        """Add a step's counts and seconds; returns the result, so a flow line reads
        ``found = stats.add(discover(ctx))``."""
        for name, value in result.counts().items():
            if not hasattr(self, name):
                raise AttributeError(f"{type(result).__name__}.{name} is not a RunStats count")
            setattr(self, name, getattr(self, name) + value)
        self.seconds.update(result.seconds)
        return result

    def add_all(self, results: list[R]) -> list[R]:
        return [self.add(r) for r in results]

    def check(self) -> None:
        """Nothing lost: every file and article is accounted for, or the run fails loudly."""
        files = self.files_loaded + self.files_rejected + self.files_ignored + self.files_unchanged
        if self.files_seen != files:
            raise RuntimeError(
                f"accounting mismatch: {self.files_seen} files seen but {files} "
                "loaded + rejected + ignored + unchanged"
            )
        if self.articles != self.canonical + self.duplicates:
            raise RuntimeError(
                f"accounting mismatch: {self.articles} articles but "
                f"{self.canonical} canonical + {self.duplicates} duplicates"
            )

    def columns(self) -> dict[str, Any]:
        """The runs row's count and seconds_* columns."""
        row: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "seconds"}
        row.update({f"seconds_{k}": round(v, 3) for k, v in self.seconds.items()})
        return row
