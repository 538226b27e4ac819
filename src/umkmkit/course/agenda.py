"""The workshop agenda: curriculum.yml's minutes laid out over its days (hari_pelatihan), with breaks.

The pre-test opens the first day and the post-test closes the last. Each lesson is a session
of its own minutes (its title cell's "Waktu mengajar: N menit · Latihan: M menit"), followed by
the exercise minutes that practise it; where lessons carry no minutes, the module's teaching time
is split evenly over them, followed by one exercise session. Sessions are never cut. A day holds at most `teaching_minutes` of sessions
(breaks not counted): a short break after about 90 minutes of sessions, lunch once the clock
passes noon. `umkmkit agenda` writes the result into docs/trainer-guide.md between two markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.files import write_text_atomic

#: At most six teaching hours a day: what participants with a business to run can give.
TEACHING_MINUTES = 6 * 60
DAY_START = time(8, 30)
BREAK_MINUTES, LUNCH_MINUTES = 15, 60
#: Sessions before a short break, at most (unless one session alone is longer).
SESSIONS_BETWEEN_BREAKS = 90
LUNCH_AFTER = time(12, 0)
BEGIN_MARKER = "<!-- agenda: dibuat oleh `umkmkit agenda` dari curriculum.yml; jangan diubah dengan tangan -->"
END_MARKER = "<!-- agenda: selesai -->"


@dataclass(frozen=True)
class Session:
    title: str
    minutes: int
    kind: str  # "tes", "materi", "latihan", "istirahat"


@dataclass
class Day:
    number: int
    start: time
    sessions: list[Session] = field(default_factory=list)

    @property
    def teaching_minutes(self) -> int:
        return sum(s.minutes for s in self.sessions if s.kind != "istirahat")

    def timetable(self) -> list[tuple[time, time, Session]]:
        clock = datetime.combine(datetime(2022, 1, 1), self.start)
        rows = []
        for session in self.sessions:
            end = clock + timedelta(minutes=session.minutes)
            rows.append((clock.time(), end.time(), session))
            clock = end
        return rows


def sessions(curriculum: Curriculum) -> list[Session]:
    """Every session in teaching order, without breaks."""
    planned = []
    test = curriculum.knowledge_test
    if test:
        planned.append(Session(f"Tes awal ({test.source.judul})", test.source.minutes_exercises, "tes"))
    for module in curriculum.modules:
        name = f"Modul {module.id} {module.judul}"
        own = module.lesson_minutes
        if own and sum(t for t, _ in own) == module.minutes_teaching and sum(e for _, e in own) == module.minutes_exercises:
            # each lesson, then the parts of the exercise that practise it (the lesson's own minutes)
            for part, (teaching, exercise) in enumerate(own, start=1):
                suffix = f" (bagian {part} dari {len(own)})" if len(own) > 1 else ""
                planned.append(Session(f"{name}: materi{suffix}", teaching, "materi"))
                if module.assignment and exercise:
                    planned.append(Session(f"{name}: latihan{suffix}", exercise, "latihan"))
            continue
        lessons = max(1, len(module.lessons))
        share, extra = divmod(module.minutes_teaching, lessons)
        for part in range(lessons):
            suffix = f" (bagian {part + 1} dari {lessons})" if lessons > 1 else ""
            planned.append(Session(f"{name}: materi{suffix}", share + (part < extra), "materi"))
        if module.assignment and module.minutes_exercises:
            planned.append(Session(f"{name}: latihan", module.minutes_exercises, "latihan"))
    if test:
        planned.append(Session(f"Tes akhir ({test.source.judul})", test.source.minutes_exercises, "tes"))
    return planned


def plan_agenda(
    curriculum: Curriculum, days: int | None = None, teaching_minutes: int = TEACHING_MINUTES, start: time = DAY_START,
) -> list[Day]:
    """Lay the sessions over `days` days (default: the curriculum's workshop_days) of at most
    `teaching_minutes` each, or say why not."""
    days = days or curriculum.workshop_days
    planned = sessions(curriculum)
    total = sum(s.minutes for s in planned)
    too_long = [s for s in planned if s.minutes > teaching_minutes]
    if too_long:
        raise UmkmkitError(
            f"Session '{too_long[0].title}' lasts {too_long[0].minutes} minutes, more than a day's "
            f"{teaching_minutes}: lower its minutes in curriculum.yml or split the lesson."
        )
    schedule = [Day(1, start)]
    for session in planned:
        if schedule[-1].teaching_minutes + session.minutes > teaching_minutes:
            schedule.append(Day(len(schedule) + 1, start))
        schedule[-1].sessions.append(session)
    if len(schedule) > days:
        raise UmkmkitError(
            f"The curriculum's {total} minutes of sessions do not fit in {days} days of at most "
            f"{teaching_minutes} minutes each (sessions are never cut; it needs {len(schedule)} days). "
            "Lower some minutes in curriculum.yml, or raise hari_pelatihan there."
        )
    for day in schedule:
        day.sessions = _with_breaks(day.sessions, start)
    return schedule


def _with_breaks(day: list[Session], start: time) -> list[Session]:
    clock = datetime.combine(datetime(2022, 1, 1), start)
    since_break, lunch_done, result = 0, False, []
    for position, session in enumerate(day):
        result.append(session)
        clock += timedelta(minutes=session.minutes)
        since_break += session.minutes
        if position == len(day) - 1:
            break
        if not lunch_done and clock.time() >= LUNCH_AFTER:
            pause, lunch_done = Session("Istirahat makan siang", LUNCH_MINUTES, "istirahat"), True
        elif since_break + day[position + 1].minutes > SESSIONS_BETWEEN_BREAKS:
            pause = Session("Istirahat", BREAK_MINUTES, "istirahat")
        else:
            continue
        result.append(pause)
        clock += timedelta(minutes=pause.minutes)
        since_break = 0
    return result


def render_agenda(schedule: list[Day]) -> str:
    """The agenda as Markdown tables, one per day, in Bahasa Indonesia."""
    parts = []
    for day in schedule:
        hours, minutes = divmod(day.teaching_minutes, 60)
        parts.append(f"**Hari {day.number}** ({hours} jam {minutes} menit sesi, tanpa istirahat)\n")
        parts.append("| Waktu | Sesi | Menit |\n| --- | --- | ---: |")
        for begin, end, session in day.timetable():
            title = f"*{session.title}*" if session.kind == "istirahat" else session.title
            parts.append(f"| {begin:%H.%M}–{end:%H.%M} | {title} | {session.minutes} |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def guide_with_agenda(guide: str, agenda: str, where: Path) -> str:
    """The trainer guide's text with the agenda between its two markers."""
    if guide.count(BEGIN_MARKER) != 1 or guide.count(END_MARKER) != 1:
        raise UmkmkitError(
            f"{where} must contain the agenda markers once each, in this order:\n{BEGIN_MARKER}\n{END_MARKER}"
        )
    head, rest = guide.split(BEGIN_MARKER)
    _, tail = rest.split(END_MARKER)
    return f"{head}{BEGIN_MARKER}\n\n{agenda}\n{END_MARKER}{tail}"


def write_agenda(curriculum: Curriculum, guide: Path) -> str:
    """Plan the agenda, write it into the trainer guide (only if changed); return its Markdown."""
    agenda = render_agenda(plan_agenda(curriculum))
    text = guide.read_text(encoding="utf-8")
    updated = guide_with_agenda(text, agenda, guide)
    if updated != text:
        write_text_atomic(guide, updated, newline="\n")
    return agenda
