"""Telling the next person that work waits for them: an in-app notice now, an email once the change commits.

Every app's services call `notify` after a hand-off (results submitted or returned, a gift pledged or signed for,
time recorded), inside their transaction: the notices are written with the change, the emails are sent only if
it commits.

Languages. A notice is stored as what it says (accounts.notices: an English message id and its parameters), not
as text, and is worded each time it is shown in the language of whoever reads the page; a person who changes
language reads their old notices in the new one. An email is written once, in its recipient's language
(`email_language`): the language of their profile when they chose one, else the language of the last page they
used signed in (User.last_language, recorded by accounts.middleware), else, for someone who never signed in (a
brand-new invitee), the language of the request that made the change.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from twinning.accounts.models import Notification
from twinning.accounts.notices import Notice

__all__ = ["Notice", "email_language", "in_language_of", "notify"]


def email_language(user: Any) -> str:
    """The language an email to `user` is written in: their profile's language, else the last one they used
    signed in, else "" (unknown: the caller's active language is used). Only codes of settings.LANGUAGES count.

    Raises: nothing.
    """
    available = dict(settings.LANGUAGES)
    for language in (getattr(user, "language", ""), getattr(user, "last_language", "")):
        if language and language in available:
            return str(language)
    return ""


@contextmanager
def in_language_of(user: Any) -> Iterator[None]:
    """Write what is inside in `user`'s language (`email_language`), or in the active one when it is not known
    (a new account: the inviter's page language, the best guess there is). For every email: it is read by its
    recipient, not by the person whose action sent it.
    """
    language = email_language(user)
    if language:
        with translation.override(language):
            yield
    else:
        yield


def notify(
    users: Iterable[Any], *, actor: Any, message: Notice, url: str, subject: Notice | None = None
) -> list[Notification]:
    """Notify each active user in `users` (None entries, repeats and the actor left out; `actor` may be None
    for a scheduled task): one Notification row each now, and one email each to those with an address once the
    transaction commits (a mail server that is down is logged, never an error: the in-app notice is already
    written).

    `message` is an accounts.notices.Notice: stored as its message id and parameters (the row's `message` keeps
    the English wording, at most 300 characters, for the admin and as a last fallback) and worded on each page
    in the reader's language. The email's body is the notice worded in the recipient's `email_language`, then
    the link; its subject is `subject` worded likewise when given, else the body's text, at most 150
    characters. `url` is the page where the work is done (a path, made absolute with settings.SITE_URL for the
    email). Returns the rows written.

    Raises: nothing.
    """
    recipients = {
        u.pk: u for u in users if u is not None and u.pk != getattr(actor, "pk", None) and u.is_active
    }
    if not recipients:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        english = message.word()[:300]
    params = message.encoded_params()
    texts: dict[str, tuple[str, str]] = {}
    rows = []
    emails = []
    for user in recipients.values():
        rows.append(
            Notification(
                user=user,
                message=english,
                message_id=message.message_id,
                message_plural=message.plural,
                params=params,
                url=url,
            )
        )
        if not user.email:
            continue
        language = email_language(user)
        if language not in texts:
            with in_language_of(user):
                body = message.word()
                texts[language] = (subject.word() if subject is not None else body, body)
        emails.append((user.email, *texts[language]))
    created = Notification.objects.bulk_create(rows)

    link = settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url

    def send() -> None:
        for email, title, body in emails:
            send_mail(title[:150], f"{body}\n\n{link}", None, [email])

    transaction.on_commit(send, robust=True)
    return created
