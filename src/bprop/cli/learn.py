"""``bprop learn``: a course of exercises from chapter 3 to the Transformer, each graded by the checker.

    bprop learn init [DIR] [--force]     write a workspace (default ./bprop-course); --force adds what is missing
    bprop learn [list] [--json]          the exercises, their status, the next one
    bprop learn check [NAME] [--json]    grade one (default: the next unfinished); --all grades every one
    bprop learn watch                    recheck the current exercise on each save, move on when it passes
    bprop learn hint NAME                one more hint each time
    bprop learn solution NAME [--force]  the reference solution, once yours has passed
    bprop learn reset NAME               the skeleton back, your file kept in .bprop-learn/backups/

Exit status of check: 0 passed, 1 not yet, 2 cannot be checked (and 2 for any usage error). The workspace is
the one holding the working folder (or ./bprop-course), or --dir DIR. What it all does is in bprop.learn.
"""

from __future__ import annotations

import argparse
import json
import sys

from bprop import i18n
from bprop.cli._common import CommandError, number

DESCRIPTION = (
    "A course of exercises in the books' order, from the step function to the Transformer's attention: each "
    "a file to complete, graded by bprop check's machinery and compared with a reference solution, with "
    "statements, hints and verdicts in English and Japanese. Without an action, `bprop learn` lists the "
    "exercises. Exit status of check: 0 passed, 1 not yet, 2 cannot be checked."
)


def _common(*, top: bool) -> argparse.ArgumentParser:
    """--lang and --dir, accepted before the action and after it (a value given before is kept)."""
    parent = argparse.ArgumentParser(add_help=False)
    default = None if top else argparse.SUPPRESS
    parent.add_argument("--lang", choices=i18n.LANGUAGES, default=default,
                        help="en or ja (default: from LC_ALL, LC_MESSAGES or LANG)")
    parent.add_argument("--dir", default=default, metavar="DIR",
                        help="the workspace (default: the one holding the working folder, or ./bprop-course)")
    return parent


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("learn", parents=[_common(top=True)], description=DESCRIPTION,
                                   help="a course of exercises graded by the checker (init, list, check, watch, hint)")
    actions = parser.add_subparsers(dest="learn_action", metavar="ACTION")
    common = [_common(top=False)]
    init = actions.add_parser("init", parents=common, help="write a new workspace of exercises")
    init.add_argument("folder", nargs="?", default=None, metavar="DIR", help="where (default ./bprop-course)")
    init.add_argument("--force", action="store_true", help="over an existing workspace: add only what is missing")
    listing = actions.add_parser("list", parents=common, help="the exercises, their status and the next one")
    listing.add_argument("--json", action="store_true", help="name, file, chapter, status … of each, as JSON")
    check = actions.add_parser("check", parents=common, help="grade an exercise (default: the next unfinished)")
    check.add_argument("name", nargs="?", default=None, metavar="NAME", help="an exercise's name or number")
    check.add_argument("--all", action="store_true", help="grade every exercise (for a class's CI)")
    check.add_argument("--json", action="store_true", help="the verdict and the report as JSON")
    for sub in (check, watch := actions.add_parser("watch", parents=common, help="recheck on each save")):
        sub.add_argument("--extra-checks", default=None, metavar="FILE",
                         help="a teacher's JSON file of hidden cases (their inputs are never shown)")
        sub.add_argument("--timeout", default="60", metavar="SECONDS", help="stop a check after this long")
    watch.add_argument("--interval", default="0.5", metavar="SECONDS", help="how often to look at the file")
    for name, text in (("hint", "show one more hint"), ("solution", "the reference solution, once yours passed"),
                       ("reset", "restore the skeleton (your file is backed up)")):
        sub = actions.add_parser(name, parents=common, help=text)
        sub.add_argument("name", metavar="NAME", help="an exercise's name or number")
        if name == "solution":
            sub.add_argument("--force", action="store_true", help="show it before your file has passed")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bprop.learn import LearnError

    lang = i18n.pick_language(args.lang)
    action = args.learn_action or "list"
    try:
        return _ACTIONS[action](args, lang)
    except LearnError as exc:
        raise CommandError(exc.message(lang)) from exc


def _course(args, lang: str):
    from bprop.learn.course import Course
    from bprop.learn.workspace import Workspace

    timeout = number(getattr(args, "timeout", "60"), "--timeout", low=0.0, open_low=True)
    course = Course(Workspace.find(args.dir), lang, timeout=timeout)
    if course.notice:
        print(course.notice, file=sys.stderr)
    return course


def _extra(args) -> dict | None:
    from bprop.learn import extra

    return extra.load(args.extra_checks) if getattr(args, "extra_checks", None) else None


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _init(args, lang: str) -> int:
    from bprop.learn import catalog, views, workspace

    folder = args.folder or args.dir or workspace.DEFAULT_DIR
    result = workspace.init(folder, lang, force=args.force)
    print(views.init_text(result, lang, catalog.catalog()[0]))
    return 0


def _list(args, lang: str) -> int:
    from bprop.learn import views

    course = _course(args, lang)
    entries = course.entries()
    upcoming = course.next(entries)
    if getattr(args, "json", False):
        counts = {s: sum(1 for e in entries if e.status == s) for s in ("passed", "failing", "not started", "missing")}
        _print_json({"workspace": str(course.ws.root), "lang": course.progress.lang, "counts": counts,
                     "next": upcoming.exercise.name if upcoming else None,
                     "exercises": [e.to_dict() for e in entries]})
    else:
        print(views.list_text(entries, upcoming, lang, course.ws.root))
    return 0


def _check(args, lang: str) -> int:
    from bprop.learn import catalog, views

    extra = _extra(args)
    course = _course(args, lang)
    if args.all:
        exercises = course.exercises
    elif args.name:
        exercises = [catalog.find(args.name)]
    else:
        upcoming = course.next()
        if upcoming is None:
            print(views.all_done(lang, len(course.exercises)))
            return 0
        exercises = [upcoming.exercise]
    results = course.check(exercises, extra)
    upcoming = course.next()
    following = upcoming.exercise.name if upcoming else None
    if args.json:
        rows = [dict(r.entry.to_dict(), code=r.grade.code, verdict=r.grade.data.get("verdict"),
                     suggested_hint=r.suggested_hint, report=r.grade.data) for r in results]
        _print_json({"results": rows, "next": following} if args.all else dict(rows[0], next=following))
    else:
        print(views.summary_text(results, lang) if args.all else views.check_text(results[0], upcoming, lang))
    if args.all:  # a class's runner: 0 when every exercise passes, else 1
        return 0 if all(r.grade.passed for r in results) else 1
    return results[0].grade.code


def _watch(args, lang: str) -> int:
    from bprop.learn.watch import watch

    interval = number(args.interval, "--interval", low=0.0, open_low=True)
    extra = _extra(args)
    return watch(_course(args, lang), interval=interval, extra=extra, out=lambda s: print(s, flush=True))


def _hint(args, lang: str) -> int:
    from bprop.learn import catalog, views

    exercise = catalog.find(args.name)
    shown, more = _course(args, lang).hint(exercise)
    print(views.hint_text(exercise, shown, more, lang))
    return 0


def _solution(args, lang: str) -> int:
    from bprop.learn import catalog, views

    exercise = catalog.find(args.name)
    print(views.solution_text(exercise, _course(args, lang).solution(exercise, args.force), lang))
    return 0


def _reset(args, lang: str) -> int:
    from bprop.learn import catalog, views

    exercise = catalog.find(args.name)
    course = _course(args, lang)
    print(views.reset_text(exercise, course.reset(exercise), course.ws, lang))
    return 0


_ACTIONS = {"init": _init, "list": _list, "check": _check, "watch": _watch, "hint": _hint, "solution": _solution,
            "reset": _reset}
