"""`refuge-desk plan-pdf|sar|stats|transfer-out|transfer-in`: residents' records written out
of the vault (a safety plan, a subject access request, funder statistics) or moved to and
from another refuge."""

from __future__ import annotations

import argparse
from pathlib import Path

from refuge_desk.cli.common import (
    EXIT_OK,
    NEW_FILE_HELP,
    REFERENCE_HELP,
    USER_HELP,
    VAULT_DIR_HELP,
    Passphrases,
    Subparsers,
    command,
    date_help,
    day,
    new_output_file,
    say,
    signed_in,
    vault_and_user,
)
from refuge_desk.domain.errors import UserError
from refuge_desk.services import plan_print, sar, stats
from refuge_desk.services import residents as residents_service
from refuge_desk.services.export import transfer
from refuge_desk.services.pdf.document import Paper


def cmd_plan_pdf(args: argparse.Namespace, asker: Passphrases) -> int:
    out = new_output_file(args.out)
    variant = plan_print.Variant(args.variant)
    if variant is not plan_print.Variant.DISCREET and (args.title or args.name_on):
        raise UserError("--title and --name-on are for a discreet copy (--variant discreet).")
    options = plan_print.PrintOptions(
        variant=variant,
        paper=Paper(args.paper),
        large_print=args.large_print,
        language=args.language or "",
        discreet_title=args.title or plan_print.DEFAULT_DISCREET_TITLE,
        discreet_name=plan_print.NameOnCopy(args.name_on or "first"),
    )
    with signed_in(args, asker) as session:
        resident_id = residents_service.id_for_reference(session, args.resident)
        pdf = plan_print.make_pdf(session, resident_id, options, plan_print.LATEST)
        plan_print.save_pdf(session, resident_id, pdf, options.variant, out)
    what = {"blank": "a blank form", "draft": "the DRAFT (nothing agreed yet)"}.get(
        pdf.what, f"version {pdf.what[1:]}"
    )
    print(f"Wrote {out} ({what}, {options.variant.value} copy).")
    say("This PDF is not encrypted: keep it safe, and delete it when it has been printed.")
    for note in pdf.notes:
        say(note)
    return EXIT_OK


def cmd_sar(args: argparse.Namespace, asker: Passphrases) -> int:
    out = new_output_file(args.out)
    with signed_in(args, asker) as session:
        resident_id = residents_service.id_for_reference(session, args.resident)
        result = sar.export(session, resident_id, out, set(args.withhold or ()))
    withheld = ", ".join(result.withheld) or "nothing"
    print(f"Wrote {out} (withheld: {withheld}).")
    say("This file is not encrypted: give it to her safely, then delete it from this computer.")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace, asker: Passphrases) -> int:
    out = new_output_file(args.out)
    with signed_in(args, asker) as session:
        result = stats.export_csv(session, args.start, args.end, out)
    print(f"Wrote {out} ({len(result)} counts; 1 to 4 shown as <5).")
    return EXIT_OK


def cmd_transfer_out(args: argparse.Namespace, asker: Passphrases) -> int:
    out = new_output_file(args.out)
    with signed_in(args, asker) as session:
        resident_id = residents_service.id_for_reference(session, args.resident)
        chosen = [int(n) for n in args.note] if args.note else None
        made = transfer.write(
            session, resident_id, out, include_notes=not args.no_notes, note_ids=chosen
        )
    print(f"Wrote {out}.")
    print()
    print(f"    One-time passphrase: {made.passphrase}")
    print()
    print(
        "Read the passphrase to the receiving refuge by phone; never send it with the file. "
        "Delete the file once they have it."
    )
    return EXIT_OK


def cmd_transfer_in(args: argparse.Namespace, asker: Passphrases) -> int:
    package = Path(args.file)
    if not package.is_file():
        raise UserError(f"The file {package} does not exist.")
    with signed_in(args, asker) as session:
        words = asker.ask("One-time passphrase of the transfer (from the other refuge)")
        arrived = transfer.receive(session, package.read_bytes(), words)
    print(
        f"Imported as {arrived.reference} (their {arrived.from_reference}), with "
        f"{arrived.versions} safety-plan version{'' if arrived.versions == 1 else 's'}."
    )
    return EXIT_OK


# -- parsing ---------------------------------------------------------------------------------
def add_parsers(sub: Subparsers) -> None:
    """Register this group's commands in the top-level subparsers ``sub``."""
    p = command(
        sub,
        "plan-pdf",
        cmd_plan_pdf,
        "write a resident's safety plan as a PDF (latest agreed version, else the draft, "
        "else a blank form)",
    )
    vault_and_user(p)
    p.add_argument("--resident", required=True, metavar="REF", help=REFERENCE_HELP)
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=NEW_FILE_HELP)
    p.add_argument(
        "--variant",
        choices=[v.value for v in plan_print.Variant],
        default="resident",
        help="which copy: resident (her copy, the default), staff, discreet or blank",
    )
    p.add_argument("--large-print", action="store_true", help="body text at 16 pt or more")
    p.add_argument(
        "--paper",
        choices=[p.value for p in Paper],
        default="a4",
        help="paper size (default a4)",
    )
    p.add_argument("--language", metavar="CODE", help="headings in this language (e.g. ar)")
    p.add_argument("--title", metavar="TEXT", help='title of a discreet copy (default "My notes")')
    p.add_argument(
        "--name-on",
        choices=[n.value for n in plan_print.NameOnCopy],
        help="her name on a discreet copy: first name (default), initials or none",
    )

    p = command(
        sub,
        "sar",
        cmd_sar,
        "subject access request: everything held about one resident, as PDF or JSON (managers)",
    )
    vault_and_user(p, "MANAGER")
    p.add_argument("--resident", required=True, metavar="REF", help=REFERENCE_HELP)
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE.pdf|FILE.json",
        help="the file to write, .pdf or .json (never overwritten; not encrypted)",
    )
    p.add_argument(
        "--withhold",
        action="append",
        metavar="PART",
        help="withhold a restricted part (repeatable): "
        + ", ".join(sorted(sar.RESTRICTED_ITEMS))
        + ", marac, or note:ID for one restricted case note",
    )

    p = command(
        sub,
        "stats",
        cmd_stats,
        "funder statistics for a date range, counts only, as CSV (managers)",
    )
    vault_and_user(p, "MANAGER")
    p.add_argument(
        "--from",
        dest="start",
        required=True,
        type=day,
        metavar="DATE",
        help=date_help("first day"),
    )
    p.add_argument(
        "--to",
        dest="end",
        required=True,
        type=day,
        metavar="DATE",
        help=date_help("last day, included"),
    )
    p.add_argument("--out", required=True, metavar="FILE.csv", help=NEW_FILE_HELP)

    p = command(
        sub,
        "transfer-out",
        cmd_transfer_out,
        "one resident's file for another refuge, protected by a one-time passphrase",
    )
    vault_and_user(p)
    p.add_argument("--resident", required=True, metavar="REF", help=REFERENCE_HELP)
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the transfer file to write (never overwritten)",
    )
    p.add_argument("--no-notes", action="store_true", help="leave all her notes out")
    p.add_argument(
        "--note",
        action="append",
        type=int,
        metavar="ID",
        help="send only these case notes (repeatable; default: every case note you may see)",
    )

    p = command(
        sub, "transfer-in", cmd_transfer_in, "import a resident transferred from another refuge"
    )
    p.add_argument("dir", metavar="DIR", help=VAULT_DIR_HELP)
    p.add_argument("file", metavar="FILE", help="the transfer file from the other refuge")
    p.add_argument("--user", required=True, metavar="USER", help=USER_HELP)
