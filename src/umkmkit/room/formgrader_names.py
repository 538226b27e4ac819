"""nbgrader's formgrader showing each trainee's whole name as the roster writes it.

nbgrader keeps a first and a last name per student, and its formgrader writes "last, first"
(manage_students.js, manage_submissions.js, gradebook_notebook_submissions.js). Indonesian
names do not split that way: "Meiske Sumampouw, S.E." came out as "Sumampouw, S.E., Meiske",
and a single name as "None, Yohana". The kit stores the whole name in `last_name` with an empty
`first_name` (cohorts.create_cohort), and this Jupyter server extension, enabled for the
trainer's lab (`umkmkit lab --trainer`), serves those three scripts with the name written as
it is: first name (if any), then last name. (nbgrader's grading page shows the trainee's id
unless both names are set: with the whole name in one field it shows the id, as for a trainee
without a name.)

The scripts are nbgrader's own files, read from the installed nbgrader, with one expression
changed in each; no copy of them lives in the kit. If an nbgrader release changes that
expression the original script is served unchanged and a warning is logged; the browser test of
the trainer's lab then fails, naming the script. Linux, macOS and Windows alike.
"""

from __future__ import annotations

from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado import web
from tornado.routing import PathMatches, Rule

#: nbgrader's scripts that write a student's name, and the expression each writes it with.
SCRIPTS = ("manage_students", "manage_submissions", "gradebook_notebook_submissions")
NBGRADER_EXPRESSION = 'last_name + ", " + first_name'
#: The name as written: the parts that are set (nbgrader's scripts turn a missing one into "None").
KIT_EXPRESSION = ('([first_name, last_name].filter(function (part) { return part && part !== "None"; })'
                  '.join(" ") || "-")')


def patched_scripts() -> tuple[dict[str, bytes], list[str]]:
    """(script name: patched source, names of scripts whose expression was not found)."""
    from nbgrader.server_extensions.formgrader import handlers

    scripts, unchanged = {}, []
    for name in SCRIPTS:
        source = (Path(handlers.static_path) / "js" / f"{name}.js").read_text(encoding="utf-8")
        if NBGRADER_EXPRESSION not in source:
            unchanged.append(name)
        scripts[name] = source.replace(NBGRADER_EXPRESSION, KIT_EXPRESSION).encode("utf-8")
    return scripts, unchanged


class PatchedScript(web.RequestHandler):
    """One of nbgrader's scripts, patched by the kit (static files, served like nbgrader serves the
    originals, never cached); umkmkit.room.lab_language serves its translated extension chunks with it."""

    def initialize(self, scripts: dict[str, bytes]) -> None:
        self.scripts = scripts

    def get(self, name: str) -> None:
        self.set_header("Content-Type", "application/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(self.scripts[name])


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "umkmkit.room.formgrader_names"}]


def _load_jupyter_server_extension(serverapp) -> None:
    scripts, unchanged = patched_scripts()
    for name in unchanged:
        serverapp.log.warning(
            "umkmkit: nbgrader's %s.js no longer writes names as %s; trainee names show nbgrader's way",
            name, NBGRADER_EXPRESSION,
        )
    pattern = url_path_join(serverapp.web_app.settings["base_url"],
                            rf"/formgrader/static/js/({'|'.join(SCRIPTS)})\.js")
    # first in the routing table: nbgrader's formgrader (loaded before, in name order) serves the
    # same paths from its static folder
    serverapp.web_app.default_router.rules.insert(0, Rule(PathMatches(pattern), PatchedScript, {"scripts": scripts}))
