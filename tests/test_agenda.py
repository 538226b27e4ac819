"""The workshop agenda generated from curriculum.yml into the trainer guide."""

from __future__ import annotations

from dataclasses import replace

import pytest
from click.testing import CliRunner

from umkmkit.course.agenda import TEACHING_MINUTES, guide_with_agenda, plan_agenda, render_agenda, sessions
from umkmkit.cli import main
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError


def test_agenda_fits_the_workshop_days_of_at_most_six_teaching_hours(curriculum):
    days = plan_agenda(curriculum)
    assert len(days) <= curriculum.workshop_days == 3
    # the days are needed: beginners' minutes do not fit one day fewer
    with pytest.raises(UmkmkitError, match="do not fit"):
        plan_agenda(curriculum, days=curriculum.workshop_days - 1)
    for day in days:
        assert day.teaching_minutes <= 6 * 60 == TEACHING_MINUTES
        assert day.sessions[0].kind != "istirahat" and day.sessions[-1].kind != "istirahat"


def test_pre_test_opens_and_post_test_closes_and_every_minute_is_placed(curriculum):
    days = plan_agenda(curriculum)
    placed = [s for day in days for s in day.sessions if s.kind != "istirahat"]
    assert placed[0].title.startswith("Tes awal") and placed[-1].title.startswith("Tes akhir")
    assert placed == sessions(curriculum)
    expected = sum(m.minutes_teaching + m.minutes_exercises for m in curriculum.modules)
    expected += 2 * curriculum.knowledge_test.source.minutes_exercises
    assert sum(s.minutes for s in placed) == expected
    for module in curriculum.modules:
        mine = [s for s in placed if s.title.startswith(f"Modul {module.id} ")]
        assert sum(s.minutes for s in mine if s.kind == "materi") == module.minutes_teaching
        assert sum(s.minutes for s in mine if s.kind == "latihan") == module.minutes_exercises


def test_breaks_and_lunch_are_scheduled(curriculum):
    for day in plan_agenda(curriculum):
        breaks = [s.title for s in day.sessions if s.kind == "istirahat"]
        ends = day.timetable()[-1][1]
        # lunch on every day that goes past noon (the last day may end before it)
        assert ("Istirahat makan siang" in breaks) == (ends.hour >= 13), (day.number, ends, breaks)
        run = 0
        for session in day.sessions:
            run = 0 if session.kind == "istirahat" else run + session.minutes
            assert run <= 120, f"day {day.number}: {run} minutes without a break"


def test_trainer_guide_holds_the_current_agenda(kit, curriculum):
    guide = kit.root / "docs" / "trainer-guide.md"
    text = guide.read_text(encoding="utf-8")
    agenda = render_agenda(plan_agenda(curriculum))
    assert guide_with_agenda(text, agenda, guide) == text, "run `umkmkit agenda` and commit docs/trainer-guide.md"
    assert "| 08.30–08.45 | Tes awal" in text


def test_a_curriculum_that_does_not_fit_is_refused(curriculum):
    longer = Curriculum(
        tuple(replace(m, minutes_exercises=m.minutes_exercises + 60) for m in curriculum.modules),
        curriculum.knowledge_test,
    )
    with pytest.raises(UmkmkitError, match=r"do not fit in 2 days of at most 360 minutes each .* needs \d+ days"):
        plan_agenda(longer)
    with pytest.raises(UmkmkitError, match="lasts 400 minutes, more than a day's 360"):
        plan_agenda(Curriculum((replace(curriculum.modules[0], minutes_teaching=400),)))


def test_guide_without_markers_is_refused(tmp_path):
    with pytest.raises(UmkmkitError, match="must contain the agenda markers"):
        guide_with_agenda("# Panduan\n", "agenda\n", tmp_path / "guide.md")


def test_agenda_command_prints_the_agenda_and_leaves_an_up_to_date_guide_alone(kit):
    guide = kit.root / "docs" / "trainer-guide.md"
    before = guide.read_bytes()
    done = CliRunner().invoke(main, ["agenda"])
    assert done.exit_code == 0, done.output
    assert "**Hari 1**" in done.output and "**Hari 2**" in done.output
    assert guide.read_bytes() == before
