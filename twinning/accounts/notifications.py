"""Telling the next person that work waits for them: an in-app notice now, an email once the change commits.

Every app's services call `notify` after a hand-off (results submitted or returned, a gift pledged or signed for,
time recorded), inside their transaction: the notices are written with the change, the emails are sent only if
it commits. Each message is written in its recipient's language when their profile has one (a `language`
attribute), otherwise in the language of the request that made the change.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from twinning.accounts.models import Notification

Message = str | Callable[[], str]


def _language_of(user: Any) -> str:
    return str(getattr(user, "language", "") or "")


@contextmanager
def in_language_of(user: Any) -> Iterator[None]:
    """Write what is inside in `user`'s language (their profile's), or in the active one when they have not
    chosen (a new account: the inviter's page language, the best guess there is). For every email: it is read
    by its recipient, not by the person whose action sent it.
    """
    language = _language_of(user)
    if language:
        with translation.override(language):
            yield
    else:
        yield


def _render(message: Message, language: str) -> str:
    if isinstance(message, str):
        return message
    if not language:
        return message()
    with translation.override(language):
        return message()


def notify(
    users: Iterable[Any], *, actor: Any, message: Message, url: str, subject: Message | None = None
) -> list[Notification]:
    """Notify each active user in `users` (None entries, repeats and the actor left out): one Notification row
    each now, and one email each to those with an address once the transaction commits (a mail server that is
    down is logged, never an error: the in-app notice is already written).

    `message` is the text, or a function returning it, called once per recipient language so that a translated
    message (gettext inside the function) reaches each person in theirs; at most 300 characters are kept, the
    email's subject is `subject` (text or a function, as `message`) when given, else the message's first 150
    characters. `url` is the page where the work is done (a path). Returns the rows written.

    Raises: nothing.
    """
    recipients = {
        u.pk: u for u in users if u is not None and u.pk != getattr(actor, "pk", None) and u.is_active
    }
    if not recipients:
        return []
    texts: dict[str, str] = {}
    subjects: dict[str, str] = {}
    rows = []
    emails = []
    for user in recipients.values():
        language = _language_of(user)
        if language not in texts:
            texts[language] = _render(message, language)
        text = texts[language]
        rows.append(Notification(user=user, message=text[:300], url=url))
        if user.email:
            if language not in subjects:
                subjects[language] = _render(subject, language) if subject is not None else text
            emails.append((user.email, subjects[language], text))
    created = Notification.objects.bulk_create(rows)

    link = settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url

    def send() -> None:
        for email, title, text in emails:
            send_mail(title[:150], f"{text}\n\n{link}", None, [email])

    transaction.on_commit(send, robust=True)
    return created
