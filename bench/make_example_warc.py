"""Write examples/warc/portmere-crawl.warc.gz: a small crawl of pages written for this project.

It holds what a real news crawl holds: a warcinfo record, request/response pairs, an article
page, an image, a 404 and a metadata record, so the WARC loader's accepts and rejects can be
seen on the bundled sample.

    .venv/bin/python bench/make_example_warc.py
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).resolve().parent.parent / "examples" / "warc" / "portmere-crawl.warc.gz"

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Ferry timetable changes for the summer | Portmere Courier</title>
<meta property="og:title" content="Island ferries to run later in summer">
<meta name="author" content="Sofia Brandt">
<meta property="article:published_time" content="2025-04-02T09:00:00+00:00">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Island ferries to run later in summer</h1>
<p>Westline will add a late sailing to the islands from 1 June, the ferry operator said on Wednesday,
after a petition signed by more than 3,000 island residents asked for evening services.</p>
<p>The new crossing will leave Portmere harbour at 10.30pm on Fridays and Saturdays until the end of
September. Westline chief executive Martin Hale said the trial would be reviewed in October.</p>
<p>"If people use it, it stays," Hale said. Island councillor Ewan Doyle welcomed the change but said
a weekday service was still needed for shift workers.</p></article>
<footer>© 2025 The Portmere Courier</footer></body></html>"""


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                "portmere-crawl.warc.gz", {"software": "wirehouse example generator"}
            )
        )
        for url, status, ctype, body in [
            (
                "https://courier.example/news/2025/04/02/ferry-timetable",
                "200 OK",
                "text/html; charset=utf-8",
                ARTICLE.encode(),
            ),
            ("https://courier.example/img/ferry.jpg", "200 OK", "image/jpeg", b"\xff\xd8\xff\xe0fake-jpeg"),
            ("https://courier.example/news/missing", "404 Not Found", "text/html", b"<html>Not found</html>"),
        ]:
            request = StatusAndHeaders(
                f"GET {url} HTTP/1.1", [("Host", "courier.example")], is_http_request=True
            )
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers)
            )
        writer.write_record(
            writer.create_warc_record(
                "https://courier.example/news/2025/04/02/ferry-timetable",
                "metadata",
                payload=BytesIO(b"outlinks: 12"),
                warc_content_type="application/warc-fields",
            )
        )
    data = OUT.read_bytes()
    (OUT.parent.parent / "broken" / "truncated-crawl.warc.gz").write_bytes(data[: len(data) * 2 // 3])
    print(f"{OUT} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
