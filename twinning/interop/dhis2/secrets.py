"""Encryption of DHIS2 server credentials at rest.

Fernet (from `cryptography`, the Python Cryptographic Authority's maintained library) is authenticated
encryption: AES-128 in CBC mode with an HMAC-SHA256 over it, so a stored password can be neither read nor altered
without the key. The key is derived from Django's SECRET_KEY with HKDF-SHA256 under a label of its own, so there
is no second secret to deploy and back up, a database dump or backup alone does not give the credentials away,
and the key used here is not the one Django signs cookies with. Changing SECRET_KEY makes stored credentials
unreadable: the server's page then asks for them again (a `ValidationError`, never a crash).
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_LABEL = b"twinning.interop.dhis2.server-credentials"


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    """The secret encrypted for storage (text, safe for a TextField); "" stays "".

    Raises: nothing.
    """
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def decrypt(token: str) -> str:
    """The stored secret in clear, for one request to the server.

    Raises: ValidationError (it was encrypted under another SECRET_KEY, or altered).
    """
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValidationError(
            _("The stored password cannot be read (the server's secret key changed); enter it again.")
        ) from None
