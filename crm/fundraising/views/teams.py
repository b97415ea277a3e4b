"""Campaign and team pages (public), and a fundraiser's team: create, join, leave, the captain's decisions."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import public, signed_in_required
from crm.extensions import db
from crm.forms import current_language
from crm.fundraising.forms.staff import ConfirmForm
from crm.fundraising.forms.teams import CreateTeamForm, JoinTeamForm, MemberForm
from crm.fundraising.models import Team
from crm.fundraising.services.boards import (
    TOP,
    count_public_pages,
    find_campaign,
    open_campaigns,
    ranked_pages,
    ranked_teams,
)
from crm.fundraising.services.page_cache import kept_for_anonymous
from crm.fundraising.services.public import story_html
from crm.fundraising.services.teams import (
    TeamError,
    create_team,
    decide_request,
    find_team,
    hand_over,
    join_team,
    leave_team,
    teams_to_join,
)
from crm.fundraising.services.totals import campaign_total, progress, team_total
from crm.fundraising.views import bp
from crm.fundraising.views.owned import my_page
from crm.lists import page_number

# --- public -----------------------------------------------------------------------------------------


@bp.get("/campaigns/")
@public
def campaigns():
    return render_template("fundraising/campaigns.html", campaigns=open_campaigns())


@bp.get("/campaigns/<slug>")
@public
@kept_for_anonymous("page")  # a search (?q=) is rendered for its visitor
def campaign(slug):
    found = find_campaign(slug)
    if found is None:
        abort(404)
    raised, donors = campaign_total(found)
    search = request.args.get("q", "")[:100]
    return render_template(
        "fundraising/campaign.html",
        campaign=found,
        raised=raised,
        donors=donors,
        percent=progress(raised, found.goal_cents),
        page_count=count_public_pages(found),
        top_pages=ranked_pages(found, per_page=TOP),
        top_teams=ranked_teams(found),
        listed=ranked_pages(found, search=search, number=page_number(request.args)),
        search=search,
        description=story_html(found.text("description", current_language())),
    )


@bp.get("/teams/<slug>")
@public
@kept_for_anonymous("page")
def team(slug):
    found = find_team(slug)
    if found is None:
        abort(404)
    raised, donors = team_total(found)
    return render_template(
        "fundraising/team.html",
        team=found,
        raised=raised,
        donors=donors,
        percent=progress(raised, found.goal_cents),
        members=ranked_pages(team=found, number=page_number(request.args)),
        story=story_html(found.story),
    )


# --- a fundraiser's team ------------------------------------------------------------------------------


def _team_screen(page, create_form=None, join_form=None, status=200):
    join_form = join_form or JoinTeamForm()
    joinable = [team for team in teams_to_join(page) if team.id != page.team_id]
    return render_template(
        "fundraising/fundraiser/team.html",
        page=page,
        create_form=create_form or CreateTeamForm(),
        join_form=join_form.offer(joinable),
        joinable=joinable,
        leave_form=ConfirmForm(),
    ), status


@bp.get("/fundraise/pages/<int:page_id>/team")
@signed_in_required
def page_team(page_id):
    return _team_screen(my_page(page_id))


@bp.post("/fundraise/pages/<int:page_id>/team/new")
@signed_in_required
def page_team_new(page_id):
    page = my_page(page_id)
    form = CreateTeamForm()
    if not form.validate_on_submit():
        return _team_screen(page, create_form=form, status=400)
    try:
        team = create_team(page, form.team_fields(), current_user)
    except TeamError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _team_screen(my_page(page_id), create_form=form, status=error.status)
    db.session.commit()
    flash(_("Your team %(name)s is ready: invite others to join it.", name=team.name), "success")
    return redirect(url_for(".captain", team_id=team.id))


@bp.post("/fundraise/pages/<int:page_id>/team/join")
@signed_in_required
def page_team_join(page_id):
    page = my_page(page_id)
    form = JoinTeamForm().offer(teams_to_join(page))
    if not form.validate_on_submit():
        return _team_screen(page, join_form=form, status=400)
    try:
        member = join_team(page, db.session.get(Team, form.team.data), current_user)
    except TeamError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _team_screen(my_page(page_id), join_form=form, status=error.status)
    db.session.commit()
    if member:
        flash(_("Your page is now in the team %(name)s.", name=page.team.name), "success")
    else:
        flash(_("Your request was sent: the team's captain decides."), "info")
    return redirect(url_for(".page_team", page_id=page.id))


@bp.post("/fundraise/pages/<int:page_id>/team/leave")
@signed_in_required
def page_team_leave(page_id):
    page = my_page(page_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    leave_team(page, current_user)  # a TeamError becomes its 409 page with the message
    db.session.commit()
    flash(_("Your page left the team."), "success")
    return redirect(url_for(".page_team", page_id=page.id))


@bp.get("/fundraise/teams/<int:team_id>")
@signed_in_required
def captain(team_id):
    found = db.session.get(Team, team_id)
    if found is None or not (found.led_by(current_user) or current_user.is_staff):
        abort(404)
    raised, donors = team_total(found)
    return render_template(
        "fundraising/fundraiser/captain.html",
        team=found,
        raised=raised,
        donors=donors,
        percent=progress(raised, found.goal_cents),
        form=MemberForm(),
    )


def _captain_decision(team_id, decide, message):
    found = db.session.get(Team, team_id)
    if found is None or not found.led_by(current_user):
        abort(404)
    form = MemberForm()
    if form.validate_on_submit() and form.page() is not None:
        page = decide(found, form.page(), current_user)  # a TeamError becomes its page with the message
        db.session.commit()
        flash(message % {"title": page.title}, "success")
    else:
        flash(_("Check the form and try again."), "error")
    return redirect(url_for(".captain", team_id=team_id))


@bp.post("/fundraise/teams/<int:team_id>/admit")
@signed_in_required
def captain_admit(team_id):
    return _captain_decision(
        team_id, lambda team, page_id, user: decide_request(team, page_id, True, user), _("%(title)s joined the team.")
    )


@bp.post("/fundraise/teams/<int:team_id>/turn-away")
@signed_in_required
def captain_turn_away(team_id):
    return _captain_decision(
        team_id,
        lambda team, page_id, user: decide_request(team, page_id, False, user),
        _("The request of %(title)s was declined."),
    )


@bp.post("/fundraise/teams/<int:team_id>/hand-over")
@signed_in_required
def captain_hand_over(team_id):
    return _captain_decision(team_id, hand_over, _("The fundraiser of %(title)s now leads the team."))
