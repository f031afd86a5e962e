"""Cohorts: the secretariat opens and closes them; cities nominate; participants join and withdraw."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import mail
from core.dates import fiscal_year, fiscal_year_bounds
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from curriculum import policy
from curriculum.forms import CohortForm, EditCohortForm, InterestsForm, NominateForm
from curriculum.models import Cohort, Enrolment, EnrolmentStatus
from curriculum.services import assignments as assignment_services
from curriculum.services import cohorts as services
from curriculum.services import modules as module_services
from curriculum.services import sessions as session_services
from curriculum.services import teams as team_services
from curriculum.services import edit_token
from curriculum.views.common import bp, cities, get_cohort, locale, now, refuse
from people.models import City, Role, RoleGrant, User


def _facilitator_choices() -> list[tuple[int, str]]:
    people = (
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(
                RoleGrant.role == Role.FACILITATOR, RoleGrant.revoked_at.is_(None), User.is_active.is_(True)
            )
            .order_by(User.name_kana, User.id)
        )
        .unique()
        .all()
    )
    return [(u.id, u.name) for u in people]


def _visible_cohorts() -> list[Cohort]:
    everything = db.session.scalars(select(Cohort).order_by(Cohort.fiscal_year.desc())).all()
    return [c for c in everything if policy.view_cohort(current_user, c)]


@bp.route("/study")
def study():  # type: ignore[no-untyped-def]
    """研修: a participant's current year, or an alumnus's past years."""
    authorize(policy.studies(current_user))
    enrolments = db.session.scalars(
        select(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.user_id == current_user.id)
        .order_by(Cohort.fiscal_year.desc())
    ).all()
    for enrolment in enrolments:
        if enrolment.status is EnrolmentStatus.ENROLLED and not enrolment.cohort.is_closed:
            return redirect(url_for("curriculum.cohort", cohort_id=enrolment.cohort_id))
    teams = {
        e.cohort_id: assignment_services.team_of(db.session, e.cohort_id, current_user.id) for e in enrolments
    }
    return render_template("curriculum/study.html", enrolments=enrolments, teams=teams)


@bp.route("/cohorts")
def cohorts():  # type: ignore[no-untyped-def]
    authorize(policy.list_cohorts(current_user))
    visible = _visible_cohorts()
    counts = {c.id: len(services.participants(db.session, c)) for c in visible}
    return render_template("curriculum/cohorts.html", cohorts=visible, counts=counts)


def _cohort_form(cls: type[CohortForm], cohort: Cohort | None = None) -> CohortForm:
    form = cls(obj=cohort, facilitator_choices=_facilitator_choices())
    if request.method == "GET":
        quotas = {q.city_id: q.places for q in cohort.quotas} if cohort else {}
        form.places.entries = []
        for city in cities():
            form.places.append_entry(
                {"city_id": str(city.id), "places": quotas.get(city.id, 3 if cohort is None else 0)}
            )
        if cohort is not None:
            form.facilitators.data = [f.user_id for f in cohort.facilitators]
    city_names = {str(c.id): c.display_name(locale()) for c in cities()}
    for entry in form.places:
        entry.form.places.label.text = city_names.get(str(entry.form.city_id.data), "?")
    return form


def _chosen_facilitators(form: CohortForm) -> list[User]:
    ids = form.facilitators.data or []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def _valid_places(form: CohortForm) -> bool:
    """The posted cities must be exactly the member cities (a form cannot invent or drop a city)."""
    known = {str(c.id) for c in cities()}
    if {str(e.form.city_id.data) for e in form.places} != known:
        form.form_errors.append(_("各市の参加枠を入力してください。"))
        return False
    return True


@bp.route("/cohorts/new", methods=["GET", "POST"])
def new_cohort():  # type: ignore[no-untyped-def]
    authorize(policy.manage_cohorts(current_user))
    form = _cohort_form(CohortForm)
    if request.method == "GET":
        form.fiscal_year.data = fiscal_year(now())
    if form.validate_on_submit() and _valid_places(form):
        fy = int(form.fiscal_year.data)
        first, last = fiscal_year_bounds(fy)
        title_ja, title_en = services.default_titles(fy)
        try:
            cohort = services.open_cohort(
                db.session,
                fiscal_year=fy,
                title_ja=form.title_ja.data or title_ja,
                title_en=form.title_en.data or title_en,
                starts_on=form.starts_on.data or first,
                ends_on=form.ends_on.data or last,
                facilitators=_chosen_facilitators(form),
                places=form.places_by_city(),
                actor=current_user,
                now=now(),
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(title)s を作成しました。各市の担当者が参加者を推薦できます。",
                    title=cohort.title(locale()),
                ),
                "success",
            )
            return redirect(url_for("curriculum.cohort", cohort_id=cohort.id))
    return render_template(
        "curriculum/cohort_form.html", form=form, cohort=None
    ), 400 if form.has_errors() else 200


@bp.route("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):  # type: ignore[no-untyped-def]
    row = get_cohort(cohort_id)
    authorize(policy.view_cohort(current_user, row))
    moment = now()
    sessions = session_services.sessions_of(db.session, row)
    upcoming = [s for s in sessions if s.ends_at >= moment][:3]
    enrolment = policy.enrolment_of(current_user, row)
    mine = None
    if enrolment is not None:
        modules = module_services.cohort_modules(db.session, row, user=current_user)
        published = assignment_services.assignments_of(db.session, row, published_by=moment)
        team = policy.team_in(current_user, row)
        mine = {
            "enrolment": enrolment,
            "modules_done": sum(1 for m in modules if m.done_at),
            "modules_total": len(modules),
            "open_assignments": [a for a in published if a.closes_at >= moment],
            "submissions": assignment_services.submissions_of(
                db.session, published, user_id=current_user.id, team_id=team.id if team else None
            ),
            "team": team,
        }
    overview = None
    if policy.view_enrolment(current_user, row):
        own = None if policy.facilitates(current_user, row) else current_user.coordinator_city_ids()
        overview = services.enrolment_by_city(db.session, row, city_ids=own)
    return render_template(
        "curriculum/cohort.html",
        cohort=row,
        upcoming=upcoming,
        sessions=sessions,
        mine=mine,
        overview=overview,
        now=moment,
        facilitators=services.facilitator_names(db.session, row),
        teams=team_services.teams_with_sizes(db.session, row) if policy.view_teams(current_user, row) else [],
    )


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
def edit_cohort(cohort_id: int):  # type: ignore[no-untyped-def]
    row = get_cohort(cohort_id)
    authorize(policy.manage_cohorts(current_user) and not row.is_closed)
    form = _cohort_form(EditCohortForm, row)
    if request.method == "GET":
        form.edit_token.data = edit_token(row)
    stale = False
    if form.validate_on_submit() and _valid_places(form):
        try:
            services.update_cohort(
                db.session,
                row,
                title_ja=form.title_ja.data or row.title_ja,
                title_en=form.title_en.data or row.title_en,
                starts_on=form.starts_on.data or row.starts_on,
                ends_on=form.ends_on.data or row.ends_on,
                facilitators=_chosen_facilitators(form),
                places=form.places_by_city(),
                actor=current_user,
                now=now(),
                expected_token=form.edit_token.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
            stale = getattr(error, "code", None) == "edit_stale"
            if stale:  # keep what they typed; show what is saved now; the next save merges
                form.edit_token.data = edit_token(row)
        else:
            db.session.commit()
            flash(_("期の設定を保存しました。"), "success")
            return redirect(url_for("curriculum.cohort", cohort_id=row.id))
    return render_template(
        "curriculum/cohort_form.html",
        form=form,
        cohort=row,
        stale=stale,
        saved_facilitators=services.facilitator_names(db.session, row) if stale else [],
    ), 409 if stale else 400 if form.has_errors() else 200


@bp.route("/cohorts/<int:cohort_id>/start", methods=["POST"])
def start_cohort(cohort_id: int):  # type: ignore[no-untyped-def]
    row = get_cohort(cohort_id)
    authorize(policy.manage_cohorts(current_user))
    try:
        services.start_cohort(db.session, row, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        refuse(None, error)
    else:
        db.session.commit()
        flash(_("期を開始しました。"), "success")
    return redirect(url_for("curriculum.cohort", cohort_id=row.id))


@bp.route("/cohorts/<int:cohort_id>/close", methods=["GET", "POST"])
def close_cohort(cohort_id: int):  # type: ignore[no-untyped-def]
    row = get_cohort(cohort_id)
    authorize(policy.manage_cohorts(current_user) and not row.is_closed)
    if request.method == "POST":
        try:
            result = services.close_cohort(db.session, row, actor=current_user, now=now())
        except DomainError as error:
            db.session.rollback()
            refuse(None, error)
        else:
            db.session.commit()
            flash(_("期を終了しました。%(n)s名が修了生になりました。", n=len(result.completed)), "success")
            return redirect(url_for("curriculum.cohort", cohort_id=row.id))
    return render_template("curriculum/close.html", cohort=row, people=services.participants(db.session, row))


@bp.route("/cohorts/<int:cohort_id>/enrolment")
def enrolment(cohort_id: int):  # type: ignore[no-untyped-def]
    row = get_cohort(cohort_id)
    authorize(policy.view_enrolment(current_user, row))
    own = None if policy.facilitates(current_user, row) else current_user.coordinator_city_ids()
    overview = services.enrolment_by_city(db.session, row, city_ids=own)
    return render_template(
        "curriculum/enrolment.html",
        cohort=row,
        overview=overview,
        totals={
            "places": sum(r.places for r in overview),
            "enrolled": sum(len(r.enrolled) for r in overview),
        },
    )


def _nominate_cities(row: Cohort) -> list[City]:
    return [c for c in cities() if policy.nominate_for(current_user, row, c.id)]


@bp.route("/cohorts/<int:cohort_id>/nominate", methods=["GET", "POST"])
def nominate(cohort_id: int):  # type: ignore[no-untyped-def]
    row = get_cohort(cohort_id)
    authorize(policy.nominate(current_user, row))
    allowed = _nominate_cities(row)
    form = NominateForm(cities=[(str(c.id), c.display_name(locale())) for c in allowed])
    if form.validate_on_submit():
        city = next((c for c in allowed if str(c.id) == form.city.data), None)
        if city is None:
            abort(403)
        try:
            done = services.nominate(
                db.session,
                row,
                city,
                form.parsed,
                actor=current_user,
                now=now(),
                invitation_days=current_app.config["INVITATION_DAYS"],
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error, fallback="nominees")
        else:
            db.session.commit()
            for item in done:
                if item.invitation is not None:
                    _send_invitation(item.invitation)
            invited = sum(1 for d in done if d.invitation is not None)
            flash(
                _("%(n)s名を推薦しました（うち%(m)s名に招待メールを送りました）。", n=len(done), m=invited),
                "success",
            )
            return redirect(url_for("curriculum.enrolment", cohort_id=row.id))
    overview = services.enrolment_by_city(db.session, row, city_ids=frozenset(c.id for c in allowed))
    return render_template("curriculum/nominate.html", cohort=row, form=form, overview=overview), (
        400 if form.errors else 200
    )


def _send_invitation(issued) -> None:  # type: ignore[no-untyped-def]
    invitation = issued.row
    link = url_for("people.accept_invitation", token=issued.raw, _external=True)
    days = current_app.config["INVITATION_DAYS"]
    with force_locale("ja"):
        context = {"invitation": invitation, "link": link, "inviter": current_user, "days": days}
        body = render_template("people/mail/invitation.txt", **context)
        html = render_template("people/mail/invitation.html", **context)
        subject = _("【Renkei】8市連携スタディミーティングへの招待")
    mail.send(mail.Mail(to=invitation.email, subject=subject, body=body, html=html), current_app.config)


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
def withdraw(enrolment_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Enrolment, enrolment_id)
    authorize(policy.withdraw(current_user, row))
    own = row.user_id == current_user.id
    try:
        services.withdraw(db.session, row, actor=current_user, now=now())
    except DomainError as error:
        db.session.rollback()
        refuse(None, error)
    else:
        db.session.commit()
        flash(_("%(name)s さんの参加を取り下げました。記録は残ります。", name=row.user.name), "info")
    if own:
        return redirect(url_for("home.index"))
    return redirect(url_for("curriculum.enrolment", cohort_id=row.cohort_id))


@bp.route("/cohorts/<int:cohort_id>/interests", methods=["GET", "POST"])
def interests(cohort_id: int):  # type: ignore[no-untyped-def]
    row = get_cohort(cohort_id)
    enrolment = policy.enrolment_of(current_user, row)
    authorize(enrolment is not None and policy.edit_interests(current_user, enrolment))
    form = InterestsForm()
    if request.method == "GET":
        form.interests.data = [i for i in (enrolment.interests or "").split(",") if i]
    if form.validate_on_submit():
        try:
            services.set_interests(db.session, enrolment, form.interests.data or [])
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("関心のある分野を保存しました。"), "success")
            return redirect(url_for("curriculum.cohort", cohort_id=row.id))
    return render_template("curriculum/interests.html", cohort=row, form=form), 400 if form.errors else 200
