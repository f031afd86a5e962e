"""Curriculum modules: the library, a cohort's (adapted) modules, marking done, progress."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from curriculum import policy
from curriculum.forms import OverrideForm
from curriculum.models import Cohort, Module
from curriculum.services import cohorts as cohort_services
from curriculum.services import modules as services
from curriculum.views.common import bp, get_cohort, now, refuse


def _module(slug: str) -> Module:
    module = services.get_module(db.session, slug)
    if module is None:
        abort(404)
    return module


@bp.route("/modules")
def library():  # type: ignore[no-untyped-def]
    """The original modules, for anyone signed in (alumni come back to them)."""
    authorize(policy.list_cohorts(current_user))
    return render_template("curriculum/library.html", modules=services.active_modules(db.session))


@bp.route("/modules/<slug>")
def library_module(slug: str):  # type: ignore[no-untyped-def]
    authorize(policy.list_cohorts(current_user))
    module = _module(slug)
    return render_template(
        "curriculum/module.html", module=module, item=services.CohortModule(module, None), cohort=None
    )


@bp.route("/cohorts/<int:cohort_id>/modules")
def modules(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.view_cohort(current_user, cohort))
    items = services.cohort_modules(db.session, cohort, user=current_user)
    return render_template(
        "curriculum/modules.html", cohort=cohort, items=items, learner=policy.learn(current_user, cohort)
    )


@bp.route("/cohorts/<int:cohort_id>/modules/<slug>")
def module(cohort_id: int, slug: str):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.view_cohort(current_user, cohort))
    module = _module(slug)
    item = services.cohort_module(db.session, cohort, module, user=current_user)
    ordered = services.active_modules(db.session)
    index = next(i for i, m in enumerate(ordered) if m.id == module.id)
    neighbours = (
        ordered[index - 1] if index > 0 else None,
        ordered[index + 1] if index + 1 < len(ordered) else None,
    )
    return render_template(
        "curriculum/module.html",
        module=module,
        item=item,
        cohort=cohort,
        learner=policy.learn(current_user, cohort),
        neighbours=neighbours,
    )


def _back(cohort: Cohort, module: Module):  # type: ignore[no-untyped-def]
    if request.form.get("next") == "list":
        return redirect(url_for("curriculum.modules", cohort_id=cohort.id))
    return redirect(url_for("curriculum.module", cohort_id=cohort.id, slug=module.slug))


@bp.route("/cohorts/<int:cohort_id>/modules/<slug>/done", methods=["POST"])
def module_done(cohort_id: int, slug: str):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.learn(current_user, cohort))
    module = _module(slug)
    try:
        services.mark_done(db.session, cohort, module, current_user, now=now())
    except DomainError:  # a double click: the mark is there
        db.session.rollback()
    else:
        db.session.commit()
    flash(_("「%(title)s」を完了にしました。", title=module.title_ja), "success")
    return _back(cohort, module)


@bp.route("/cohorts/<int:cohort_id>/modules/<slug>/undo", methods=["POST"])
def module_undo(cohort_id: int, slug: str):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.learn(current_user, cohort))
    module = _module(slug)
    services.undo_done(db.session, cohort, module, current_user)
    db.session.commit()
    flash(_("「%(title)s」を未完了に戻しました。", title=module.title_ja), "info")
    return _back(cohort, module)


@bp.route("/cohorts/<int:cohort_id>/modules/<slug>/adapt", methods=["GET", "POST"])
def adapt_module(cohort_id: int, slug: str):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.run_cohort(current_user, cohort))
    module = _module(slug)
    item = services.cohort_module(db.session, cohort, module)
    form = OverrideForm()
    if request.method == "GET":
        form.title_ja.data = item.title("ja")
        form.body.data = item.body
        form.minutes.data = item.minutes
        form.note.data = item.override.note if item.override else ""
        form.base_version.data = str(item.override.version if item.override else 0)
    if form.validate_on_submit():
        try:
            base = int(form.base_version.data or 0)
        except ValueError:
            abort(400)
        try:
            services.save_override(
                db.session,
                cohort,
                module,
                title_ja=form.title_ja.data or "",
                body=form.body.data or "",
                minutes=int(form.minutes.data),
                note=form.note.data or "",
                base_version=base,
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
            item = services.cohort_module(db.session, cohort, module)
        else:
            db.session.commit()
            flash(_("この期向けの内容を保存しました。元の単元はそのまま残っています。"), "success")
            return redirect(url_for("curriculum.module", cohort_id=cohort.id, slug=module.slug))
    return render_template("curriculum/adapt.html", cohort=cohort, module=module, item=item, form=form), (
        400 if form.errors else 200
    )


@bp.route("/cohorts/<int:cohort_id>/modules/<slug>/reset", methods=["POST"])
def reset_module(cohort_id: int, slug: str):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.run_cohort(current_user, cohort))
    module = _module(slug)
    try:
        services.reset_override(db.session, cohort, module, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        refuse(None, error)
    else:
        db.session.commit()
        flash(_("元の単元の内容に戻しました。"), "info")
    return redirect(url_for("curriculum.module", cohort_id=cohort.id, slug=module.slug))


@bp.route("/cohorts/<int:cohort_id>/progress")
def progress(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.view_progress(current_user, cohort))
    people = cohort_services.participants(db.session, cohort)
    if not policy.facilitates(current_user, cohort):  # a coordinator: their own city only
        people = [e for e in people if policy.coordinates(current_user, e.city_id)]
    return render_template(
        "curriculum/progress.html", cohort=cohort, progress=services.progress(db.session, cohort, people)
    )
