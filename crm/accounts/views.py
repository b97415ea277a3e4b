"""Log in, log out, sign up, change password."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from crm.accounts.access import public, signed_in_required
from crm.accounts.forms import (
    ChangePasswordForm,
    FinishSignupForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignupForm,
)
from crm.accounts.limits import login_limits, note_failed_login
from crm.accounts.services import (
    AccountError,
    AccountExists,
    authenticate,
    change_password,
    count_login_sessions,
    create_fundraiser_account,
    end_every_session,
    end_login_session,
    read_reset_token,
    read_signup_token,
    request_password_reset,
    request_signup,
    set_password,
    start_login_session,
)
from crm.extensions import db, limiter
from crm.forms import current_language, form_status
from crm.security import safe_next_url, start_new_session

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _landing(user):
    return url_for("admin.dashboard") if user.is_staff else url_for("pages.home")


# Where a visitor who signs up was going (the start of a fundraiser page): kept in their session
# between the sign-up form and the emailed link for the same browser. It goes with the sign-up
# announcement too (next_url), for the emailed link (services.signup_url) to carry to another browser.
SIGNUP_NEXT_KEY = "signup_next"


# What a visitor gathered before logging in and keeps in the new session: the gift catalog's
# cart. (Where their visit came from is in its own cookie, crm.supporters.attribution.)
CARRIED_SESSION_KEYS = ("cart",)


def _sign_in(user, remember=False):
    start_login_session(user)
    db.session.commit()
    carried = {key: session[key] for key in CARRIED_SESSION_KEYS if key in session}
    start_new_session()
    session.update(carried)
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@login_limits
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            _sign_in(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(safe_next_url(request.args.get("next"), _landing(user)))
        form.form_errors.append(_("That email and password do not match an account."))
    if form.is_submitted():
        note_failed_login()
        return render_template("accounts/login.html", form=form), 400
    return render_template("accounts/login.html", form=form)


def _sign_out(message):
    logout_user()
    start_new_session()
    flash(message, "success")
    return redirect(url_for("pages.home"))


@bp.post("/logout")
@public
def logout():
    # CSRFProtect has already checked the token of this POST. The login session is deleted, so
    # a copy of this browser's session or remember cookie opens nothing afterwards.
    if current_user.is_authenticated:
        end_login_session(current_user)
        db.session.commit()
    return _sign_out(_("You are logged out."))


@bp.post("/logout-everywhere")
@signed_in_required
def logout_everywhere():
    end_every_session(current_user)
    db.session.commit()
    return _sign_out(_("You are logged out on every device."))


@bp.get("/")
@signed_in_required
def account():
    return render_template("accounts/account.html", devices=count_login_sessions(current_user))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT"], methods=["POST"])
@public
def signup():
    form = SignupForm()
    going = safe_next_url(request.args.get("next"), None)
    if form.validate_on_submit():
        request_signup(form.email.data, going)
        db.session.commit()
        if going:
            session[SIGNUP_NEXT_KEY] = going
        # The same answer whether or not the account exists; its owner gets an email saying so.
        flash(
            _(
                "A link to finish creating your account is on its way to %(email)s. It works for a day.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for("accounts.login", next=going))
    status = form_status(form)
    return render_template("accounts/signup.html", form=form, going=going), status


@bp.route("/signup/<token>", methods=["GET", "POST"])
@public
def finish_signup(token):
    try:
        email = read_signup_token(token)
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.signup"))
    form = FinishSignupForm()
    wanted = safe_next_url(request.args.get("next") or session.get(SIGNUP_NEXT_KEY), None)
    going = wanted or url_for("pages.home")
    if form.validate_on_submit():
        try:
            user = create_fundraiser_account(
                email, form.password.data, form.first_name.data, form.last_name.data, current_language()
            )
        except AccountExists as error:  # the link was used already, or by a twin request
            flash(str(error), "info")
            return redirect(url_for("accounts.login", next=wanted))
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            _sign_in(user)  # a new session: the sign-up's `next` is left behind with the old one
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(going)
    status = form_status(form)
    return render_template("accounts/finish_signup.html", form=form, email=email), status


@bp.route("/password", methods=["GET", "POST"])
@signed_in_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            _sign_in(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(_landing(current_user))
    status = form_status(form)
    return render_template("accounts/password.html", form=form), status


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT"], methods=["POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the account exists.
        flash(_("If an account uses that email, a link to choose a new password is on its way."), "info")
        return redirect(url_for("accounts.login"))
    status = form_status(form)
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        user = read_reset_token(token)
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.new_password.data)
        db.session.commit()
        flash(_("Your new password is set. Please log in."), "success")
        return redirect(url_for("accounts.login"))
    status = form_status(form)
    return render_template("accounts/reset.html", form=form), status
