"""Copy a page into a campaign."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.validators import DataRequired


class CopyPageForm(FlaskForm):
    campaign = RadioField(_l("Into which campaign?"), coerce=int, validators=[DataRequired(_l("Choose a campaign."))])
    submit = SubmitField(_l("Copy my page"))

    def offer(self, campaigns, language):
        self.campaign.choices = [(campaign.id, campaign.name(language)) for campaign in campaigns]
        return self
