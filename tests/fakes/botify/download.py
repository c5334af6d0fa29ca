"""The fake download host ("CDN"): pre-signed export URLs, and a 403 for any Authorization header."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

if TYPE_CHECKING:
    from tests.fakes.botify.server import FakeBotify


class _TruncatedResponse(Response):
    """Announces the full Content-Length, sends half, then returns: uvicorn drops the connection."""

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send(
            {"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True}
        )


def create_download_app(fake: FakeBotify) -> Starlette:
    async def download(request: Request) -> Response:
        st = fake.state
        auth = request.headers.get("authorization")
        st.download_requests.append(
            {
                "path": request.url.path,
                "query": request.url.query,
                "authorization": auth,
                "host": request.headers.get("host"),
            }
        )
        if auth is not None:
            st.download_auth_rejected += 1
            return Response(
                "<Error><Code>AccessDenied</Code><Message>Only one auth mechanism allowed</Message></Error>",
                status_code=403,
                media_type="application/xml",
            )
        key, name = request.path_params["key"], request.path_params["name"]
        job = next((j for j in st.jobs.values() if j.download_key == key and j.filename == name), None)
        if job is None:
            return Response("<Error><Code>NoSuchKey</Code></Error>", 404, media_type="application/xml")
        if request.query_params.get("X-Amz-Signature") != job.signature:
            return Response(
                "<Error><Code>SignatureDoesNotMatch</Code></Error>", 403, media_type="application/xml"
            )
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        zipped = job.body.startswith(b"PK")
        if st.download_content_encoding and not zipped:
            headers["Content-Encoding"] = "gzip"
        media = "application/zip" if zipped else "application/gzip"
        if st.truncate_downloads_next > 0:
            st.truncate_downloads_next -= 1
            return _TruncatedResponse(job.body, media_type=media, headers=headers)
        return Response(job.body, media_type=media, headers=headers)

    return Starlette(routes=[Route("/exports/{key}/{name}", download)])
