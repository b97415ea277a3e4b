"""Forms of teams: create one from a page, ask to join one, the captain's decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from crm.forms import amount_field, line_field, message_field
from crm.fundraising.services.teams import MAX_TEAM_GOAL_CENTS, MAX_TEAM_NAME, MAX_TEAM_STORY, TeamFields
from crm.payments.forms.amounts import parse_amount


class CreateTeamForm(FlaskForm):
    name = line_field(_l("Team name"), _l("Enter a team name."), max_length=MAX_TEAM_NAME)
    goal = amount_field(_l("Team goal"), description=_l("0 for no goal. Like 1000 or 1000.50."), default="0")
    story = message_field(_l("About the team (optional)"), max_length=MAX_TEAM_STORY)
    open = BooleanField(_l("Anyone in the campaign can join at once (untick: you approve each request)"), default=True)
    create = SubmitField(_l("Create the team"))

    def validate_goal(self, field):
        cents = parse_amount(field.data or "0")
        if cents is None or not 0 <= cents <= MAX_TEAM_GOAL_CENTS:
            raise ValidationError(_l("Enter a goal between 0 and 1,000,000."))

    def team_fields(self):
        return TeamFields(
            name=self.name.data or "",
            goal_cents=parse_amount(self.goal.data or "0"),
            story=self.story.data or "",
            open=bool(self.open.data),
        )


class JoinTeamForm(FlaskForm):
    team = RadioField(_l("Team"), coerce=int, validators=[DataRequired(_l("Choose a team."))])
    join = SubmitField(_l("Join the team"))

    def offer(self, teams):
        self.team.choices = [(team.id, team.name) for team in teams]
        return self


class MemberForm(FlaskForm):
    """The captain's decision about one page: let it in, turn it away, or hand the team to it."""

    page_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Confirm"))

    def page(self):
        value = self.page_id.data or ""
        return int(value) if value.isdigit() and len(value) < 10 else None
