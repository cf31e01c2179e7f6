"""Small file uploads received with a size limit that holds while the file streams in.

Django spools an upload of any size to a temporary file before the view runs, and
``upload.read()`` then puts all of it in memory. :func:`limit_upload` replaces the request's
upload handlers, before its body is parsed, with one that keeps at most ``limit`` bytes in memory
and stops receiving the file at the first chunk past it; a request that announces a larger body
is refused at its first file chunk. The view then asks :func:`exceeded` and answers with a clear
error. Use it for files a view reads whole (patrol tracks, incident photos); large imports
stream to disk instead (``incidents.services``). A page's form goes through :func:`receives_files`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# Room for the multipart boundaries and the other fields of a form around the file.
FORM_OVERHEAD = 64 * 1024


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False
        self.buffer = BytesIO()

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's name
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        # A body announced larger than the file may be is not received at all.
        if content_length > self.limit + FORM_OVERHEAD:
            self.exceeded = True

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.exceeded or start + len(raw_data) > self.limit:
            self.exceeded = True
            # Stop reading: the rest of the body is neither stored nor kept in memory.
            raise StopUpload(connection_reset=True)
        self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def limit_upload(request: Any, limit: int) -> LimitedUploadHandler:
    """Receive the request's files through a handler that stops past ``limit`` bytes.

    ``request`` is Django's or DRF's request; call before ``request.FILES`` or ``request.data``.
    """
    django_request: HttpRequest = getattr(request, "_request", request)
    handler = LimitedUploadHandler(django_request, limit)
    django_request.upload_handlers = [handler]
    return handler


def receives_files(limit: Callable[[], int]) -> Callable[[Callable[..., HttpResponse]], Any]:
    """A page that receives files from a form: the view gets ``receiving`` (the handler with
    ``limit()`` bytes, set before anything reads the body).

    The CSRF middleware reads the form's token from the body, which parses the upload with
    Django's own handlers first and leaves no way to set the limit (a 500 in every real
    browser). So the view is exempt from the middleware's run and the very same check runs
    here, once the handler is in place: a post without its token is still a 403.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Any:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            handler = limit_upload(request, limit())
            return protected(request, *args, receiving=handler, **kwargs)

        return csrf_exempt(wrapped)

    return decorate
