"""kill -9 under load: 600 messages pushed at once to a real `brygada run` process, which
is SIGKILLed at three random moments and restarted; afterwards every message must have
exactly one task and one card (the only cards allowed twice are those Telegram accepted
in the instant before a kill, counted as "in doubt"). The test suite runs the same
scenario with 120 messages (tests/e2e/telegram/test_telegram_kill9.py).

    .venv/bin/python bench/bench_kill9.py [--chats 40 --per-chat 15 --kills 3 --seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/, not the repo, on the path
    sys.path.insert(0, str(ROOT))

from tests.e2e.telegram.crash_run import burst_and_kill  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=40)
    parser.add_argument("--per-chat", type=int, default=15)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="brygada-kill9-") as tmp:
        report = asyncio.run(
            burst_and_kill(
                Path(tmp),
                chats=args.chats,
                per_chat=args.per_chat,
                kills=args.kills,
                seed=args.seed,
                finish_timeout=240.0,
                round_timeout=240.0,
            )
        )
    print(report.summary())
    ok = not (report.missing_cards or report.wrong_tasks or report.unexplained_duplicates)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
