"""planner.runtime: the garbage collector's thresholds in web and worker processes (GC_THRESHOLDS)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from planner.env import envthresholds
from planner.runtime import garbage_collector_tune
from tests.conftest import ROOT


def test_it_reads_three_thresholds_or_off(monkeypatch):
    monkeypatch.setenv("GC_T", " 50000, 20,100 ")
    assert envthresholds("GC_T", "off") == (50000, 20, 100)
    monkeypatch.setenv("GC_T", "off")
    assert envthresholds("GC_T", "1,2,3") is None
    monkeypatch.delenv("GC_T")
    assert envthresholds("GC_T", "") is None


@pytest.mark.parametrize("raw", ["50000", "1,2", "a,b,c", "0,10,10", "-5,10,10", "1,2,3,4"])
def test_it_fails_loudly_on_bad_thresholds(monkeypatch, raw):
    monkeypatch.setenv("GC_T", raw)
    with pytest.raises(ImproperlyConfigured, match="GC_T"):
        envthresholds("GC_T", "off")


@pytest.fixture
def collector_restored():
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_it_applies_the_setting_and_freezes_what_is_loaded(settings, collector_restored):
    settings.GC_THRESHOLDS = (12345, 11, 13)
    garbage_collector_tune()
    assert gc.get_threshold() == (12345, 11, 13)
    assert gc.get_freeze_count() > 1000  # the loaded application, now out of the collector's way


def test_it_leaves_pythons_collector_alone_when_off(settings, collector_restored):
    gc.set_threshold(700, 10, 10)
    settings.GC_THRESHOLDS = None
    garbage_collector_tune()
    assert gc.get_threshold() == (700, 10, 10)


def _threshold_after_importing(module: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "GC_THRESHOLDS")}
    base.update(env, DEBUG="1", DJANGO_SETTINGS_MODULE="planner.settings")
    code = f"import gc, {module}; print(gc.get_threshold())"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_it_tunes_the_web_process_that_gunicorn_loads():
    assert _threshold_after_importing("planner.wsgi") == "(50000, 20, 100)"
    assert _threshold_after_importing("planner.wsgi", GC_THRESHOLDS="2000,5,5") == "(2000, 5, 5)"
    assert _threshold_after_importing("planner.wsgi", GC_THRESHOLDS="off") == "(700, 10, 10)"


def test_it_tunes_a_celery_worker_before_its_pool_forks(settings, collector_restored):
    from celery.signals import worker_init

    from planner.celery import _tune_worker

    assert _tune_worker in [ref() for _key, ref in worker_init.receivers]
    settings.GC_THRESHOLDS = (4321, 7, 9)
    _tune_worker()
    assert gc.get_threshold() == (4321, 7, 9)
