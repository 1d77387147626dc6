"""How long free text people type into the sustainability app may be: the product-wide limits of
twinning.core.limits, named here for the app's modules.

The limits live on the model fields (`text_field`), so every door applies them alike: the forms (which take their
`max_length` from the field, so the browser stops typing there too), the API (whose schemas name the same
constants) and the services behind both, which `full_clean()` what they save. Past the limit a person reads
Django's translated "Ensure this value has at most N characters (it has M)." and nothing is saved.
"""

from twinning.core.limits import COMMENT_MAX, TEXT_MAX, text_field

__all__ = ["COMMENT_MAX", "TEXT_MAX", "text_field"]
