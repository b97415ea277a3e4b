"""The hidden key of a payment form: made when the form is rendered, so posting it twice pays once."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import ValidationError

from crm.payments.services.submissions import is_submission_key, new_submission_key


class SubmissionKeyMixin:
    """Give a FlaskForm the `submission_key` field (services.submissions explains the key).

    Posted without one (a page rendered before the field existed, a script), the form still pays,
    once per post: nothing would tell two such posts apart. A key that is there but not one we make
    is refused, and the form comes back with a fresh key: posting it again then pays.
    """

    submission_key = HiddenField(default=new_submission_key)

    def validate_submission_key(self, field):
        if field.data and not is_submission_key(field.data):
            raise ValidationError(_l("This form has expired. Check your details and send it again."))

    def renew_submission_key(self):
        """A form shown again (after a refused card, say) is a new attempt: give it a new key."""
        if getattr(self, "_submission_key_held", False):
            return
        self.submission_key.data = new_submission_key()
        self.submission_key.raw_data = None

    def hold_submission_key(self):
        """Show the form again with the key it was posted with: sent again, it is still the same payment.

        For a form whose payment Stripe may have taken already (services.SubmissionConflict): a new
        key would let the next send charge the card a second time.
        """
        self._submission_key_held = True

    @property
    def posted_submission_key(self):
        """The key this post carries once validated; "" when it carries none."""
        return self.submission_key.data or ""
