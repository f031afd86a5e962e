"""Teams: a suggestion that spreads cities and interests, adjustments by hand, publishing, team pages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from curriculum import formation, messages, policy
from curriculum.forms import ApplySuggestionForm, MoveForm, NewTeamForm, SuggestForm, TeamForm, interest_label
from curriculum.models import Cohort, Team, TeamMember
from curriculum.services import teams as services
from curriculum.views.common import bp, cities, get_cohort, locale, now, refuse
from people.models import Role, RoleGrant, User


def _city_names() -> dict[int, str]:
    return {c.id: c.display_name(locale()) for c in cities()}


def _team_notes(team: Team, city_of: dict[int, int]) -> list[str]:
    names = _city_names()
    out = []
    for code, params in services.rule_problems(team, city_of):
        values = dict(params, team=team.name)
        if "city" in values:
            values["city"] = names.get(values["city"], "")  # type: ignore[call-overload]
        out.append(messages.note(code, **values))
    return out


def _move_form(cohort: Cohort, teams: list[Team]) -> MoveForm:
    people = services.active_people(db.session, cohort)
    names = _city_names()
    return MoveForm(
        people=[(str(e.user_id), f"{e.user.name}（{names.get(e.city_id, '')}）") for e in people],
        teams=[(str(t.id), t.name) for t in teams],
    )


@bp.route("/cohorts/<int:cohort_id>/teams")
def teams(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.view_teams(current_user, cohort))
    return _teams_page(cohort)


def _teams_page(cohort: Cohort, new_form: NewTeamForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    """The teams page; a refused new-team form comes back with what was typed and its message."""
    rows = services.teams_of(db.session, cohort)
    city_of = services.cities_by_user(db.session, cohort)
    can_form = policy.form_teams(current_user, cohort)
    return render_template(
        "curriculum/teams.html",
        cohort=cohort,
        teams=rows,
        city_of=city_of,
        city_names=_city_names(),
        notes={t.id: _team_notes(t, city_of) for t in rows} if can_form else {},
        unplaced=services.unplaced(db.session, cohort) if can_form else [],
        move_form=_move_form(cohort, rows) if can_form else None,
        new_form=(new_form or NewTeamForm()) if can_form else None,
        can_form=can_form,
        interests=_interests(cohort) if can_form else {},
        interest_label=interest_label,
    ), status


def _interests(cohort: Cohort) -> dict[int, list[str]]:
    return {p.id: sorted(p.interests) for p in services.formation_input(db.session, cohort)}


@bp.route("/cohorts/<int:cohort_id>/teams/suggest", methods=["GET", "POST"])
def suggest_teams(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.form_teams(current_user, cohort))
    people_in = services.formation_input(db.session, cohort)
    if request.method == "POST":
        apply = ApplySuggestionForm()
        if apply.validate_on_submit():
            try:
                count, seed = int(apply.teams.data), int(apply.seed.data)
            except (TypeError, ValueError):
                abort(400)
            suggestion = formation.suggest(people_in, count, seed)
            try:
                services.apply_suggestion(
                    db.session, cohort, suggestion, expected=apply.fingerprint.data or "", actor=current_user
                )
            except DomainError as error:
                db.session.rollback()
                refuse(None, error)
                return redirect(
                    url_for("curriculum.suggest_teams", cohort_id=cohort.id, teams=count, seed=seed)
                )
            db.session.commit()
            flash(_("チームを作りました（まだ参加者には公開していません）。"), "success")
            return redirect(url_for("curriculum.teams", cohort_id=cohort.id))
        abort(400)
    default_count = max(1, round(len(people_in) / 4)) if people_in else 1
    form = SuggestForm(request.args if request.args else None, teams=default_count, seed=1)
    suggestion = None
    if request.args and form.validate():
        suggestion = formation.suggest(people_in, int(form.teams.data), int(form.seed.data))
    apply_form = None
    notes: list[str] = []
    users: dict[int, User] = {}
    if suggestion is not None:
        apply_form = ApplySuggestionForm(
            teams=str(form.teams.data), seed=str(form.seed.data), fingerprint=services.fingerprint(people_in)
        )
        names = _city_names()
        for n in suggestion.notes:
            values = dict(n.params)
            if "city" in values:
                values["city"] = names.get(values["city"], "")
            if n.team is not None:
                values["team"] = _("チーム%(n)s", n=n.team + 1)
            notes.append(messages.note(n.code, **values))
        ids = [uid for team in suggestion.teams for uid in team]
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return render_template(
        "curriculum/suggest.html",
        cohort=cohort,
        form=form,
        suggestion=suggestion,
        apply_form=apply_form,
        notes=notes,
        users=users,
        people=people_in,
        persons={p.id: p for p in people_in},
        city_names=_city_names(),
        interest_label=interest_label,
        published=cohort.teams_published,
    ), 400 if form.errors else 200


@bp.route("/cohorts/<int:cohort_id>/teams/publish", methods=["POST"])
def publish_teams(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.form_teams(current_user, cohort))
    try:
        services.publish_teams(db.session, cohort, actor=current_user, now=now())
    except DomainError as error:
        db.session.rollback()
        refuse(None, error)
    else:
        db.session.commit()
        flash(_("チームを参加者に公開しました。"), "success")
    return redirect(url_for("curriculum.teams", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/teams/new", methods=["POST"])
def add_team(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.form_teams(current_user, cohort))
    form = NewTeamForm()
    if not form.validate_on_submit():
        return _teams_page(cohort, form, 400)
    try:
        team = services.add_team(db.session, cohort, name=form.name.data or "", actor=current_user)
    except DomainError as error:
        db.session.rollback()
        refuse(form, error, fallback="name")
        return _teams_page(cohort, form, 400)
    db.session.commit()
    flash(_("「%(name)s」を追加しました。", name=team.name), "success")
    return redirect(url_for("curriculum.teams", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/teams/move", methods=["POST"])
def move_member(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.form_teams(current_user, cohort))
    rows = services.teams_of(db.session, cohort)
    form = _move_form(cohort, rows)
    if form.validate_on_submit():
        team = next((t for t in rows if str(t.id) == form.team.data), None)
        try:
            services.move_member(db.session, cohort, int(form.person.data), team, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            refuse(None, error)
        else:
            db.session.commit()
            flash(_("メンバーを移動しました。"), "success")
    else:
        flash(_("参加者と移動先を選んでください。"), "error")
    return redirect(url_for("curriculum.teams", cohort_id=cohort.id))


@bp.route("/teams/<int:team_id>")
def team(team_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Team, team_id)
    authorize(policy.view_team(current_user, row))
    city_of = services.cities_by_user(db.session, row.cohort)
    rows = db.session.scalars(select(TeamMember).where(TeamMember.team_id == row.id)
                              .options(joinedload(TeamMember.user).lazyload(User.grants)))
    members = sorted(rows, key=lambda m: (city_of.get(m.user_id, 0), m.user.name_kana))
    return render_template(
        "curriculum/team.html",
        cohort=row.cohort,
        team=row,
        members=members,
        city_of=city_of,
        city_names=_city_names(),
        notes=_team_notes(row, city_of) if policy.edit_team(current_user, row) else [],
    )


def _alumni() -> list[tuple[str, str]]:
    people = (
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == Role.ALUMNUS, RoleGrant.revoked_at.is_(None), User.is_active.is_(True))
            .order_by(User.name_kana, User.id)
        )
        .unique()
        .all()
    )
    names = _city_names()
    return [(str(u.id), f"{u.name}（{names.get(u.city_id or 0, '')}）") for u in people]


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
def edit_team(team_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Team, team_id)
    authorize(policy.edit_team(current_user, row))
    form = TeamForm(obj=row, alumni=_alumni())
    if request.method == "GET":
        form.mentor.data = str(row.mentor_id) if row.mentor_id else ""
    if form.validate_on_submit():
        mentor = db.session.get(User, int(form.mentor.data)) if form.mentor.data else None
        try:
            services.update_team(
                db.session, row, name=form.name.data or "", mentor=mentor, actor=current_user
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("チームを更新しました。"), "success")
            return redirect(url_for("curriculum.team", team_id=row.id))
    return render_template("curriculum/team_form.html", cohort=row.cohort, team=row, form=form), (
        400 if form.errors else 200
    )
