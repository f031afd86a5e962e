"""The secretariat shapes each cohort's template: sections (guidance, length hints) and review criteria."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import dates
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from curriculum.models import Cohort
from proposals import policy
from proposals import template as service
from proposals.forms import CriterionForm, IntroForm, MoveForm, RetireForm, TemplateSectionForm
from proposals.models import ProposalTemplate, TemplateCriterion, TemplateSection
from proposals.views.base import bp, field_error, flash_error


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _page(cohort: Cohort, template: ProposalTemplate, *, intro: IntroForm | None = None,
          section_form: TemplateSectionForm | None = None, criterion_form: CriterionForm | None = None,
          status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("proposals/template.html", cohort=cohort, template=template,
                           intro_form=intro or IntroForm(intro=template.intro),
                           section_form=section_form or TemplateSectionForm(formdata=None),
                           criterion_form=criterion_form or CriterionForm(formdata=None),
                           move=MoveForm(), retire=RetireForm()), status


@bp.route("/proposal-templates")
def templates_index():  # type: ignore[no-untyped-def]
    authorize(policy.list_templates(current_user))
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.fiscal_year.desc())).all()
    made = set(db.session.scalars(select(ProposalTemplate.cohort_id)))
    return render_template("proposals/templates_index.html", cohorts=cohorts, made=made)


@bp.route("/cohorts/<int:cohort_id>/proposal-template")
def template_show(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.view_template(current_user, cohort))
    return _page(cohort, service.template_or_default(db.session, cohort.id))


@bp.route("/cohorts/<int:cohort_id>/proposal-template/intro", methods=["POST"])
def template_intro(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    template = service.ensure_template(db.session, cohort, actor=current_user)
    form = IntroForm()
    if form.validate_on_submit():
        service.update_intro(template, form.intro.data or "", actor=current_user)
        db.session.commit()
        flash(_("説明を保存しました。"), "success")
        return redirect(url_for("proposals.template_show", cohort_id=cohort.id))
    return _page(cohort, template, intro=form, status=400)


@bp.route("/cohorts/<int:cohort_id>/proposal-template/sections", methods=["POST"])
def template_add_section(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    template = service.ensure_template(db.session, cohort, actor=current_user)
    form = TemplateSectionForm()
    if form.validate_on_submit():
        try:
            service.add_section(db.session, template, heading=form.heading.data or "", guidance=form.guidance.data or "",
                                min_chars=form.min_chars.data, max_chars=form.max_chars.data,
                                required=bool(form.required.data), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("項目「%(heading)s」を追加しました。", heading=form.heading.data), "success")
            return redirect(url_for("proposals.template_show", cohort_id=cohort.id))
    return _page(cohort, template, section_form=form, status=400)


def _section(template: ProposalTemplate, section_id: int) -> TemplateSection:
    found = next((s for s in template.sections if s.id == section_id), None)
    if found is None:
        abort(404)
    return found


def _criterion(template: ProposalTemplate, criterion_id: int) -> TemplateCriterion:
    found = next((c for c in template.criteria if c.id == criterion_id), None)
    if found is None:
        abort(404)
    return found


def _existing(cohort: Cohort) -> ProposalTemplate:
    template = service.template_for(db.session, cohort.id)
    if template is None:
        abort(404)
    return template


@bp.route("/cohorts/<int:cohort_id>/proposal-template/sections/<int:section_id>", methods=["GET", "POST"])
def template_section(cohort_id: int, section_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    section = _section(_existing(cohort), section_id)
    form = TemplateSectionForm(obj=section) if request.method == "GET" else TemplateSectionForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.update_section(section, heading=form.heading.data or "", guidance=form.guidance.data or "",
                                   min_chars=form.min_chars.data, max_chars=form.max_chars.data,
                                   required=bool(form.required.data), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("項目「%(heading)s」を保存しました。", heading=section.heading), "success")
            return redirect(url_for("proposals.template_show", cohort_id=cohort.id) + f"#ts-{section.id}")
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/template_section.html", cohort=cohort, section=section, form=form), status


@bp.route("/cohorts/<int:cohort_id>/proposal-template/sections/<int:section_id>/move", methods=["POST"])
def template_move_section(cohort_id: int, section_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    template = _existing(cohort)
    form = MoveForm()
    if form.validate_on_submit():
        service.move(template.sections, _section(template, section_id), form.step())
        template.updated_by_id = current_user.id
        db.session.commit()
    return redirect(url_for("proposals.template_show", cohort_id=cohort.id) + f"#ts-{section_id}")


@bp.route("/cohorts/<int:cohort_id>/proposal-template/sections/<int:section_id>/retire", methods=["POST"])
def template_retire_section(cohort_id: int, section_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    section = _section(_existing(cohort), section_id)
    form = RetireForm()
    if form.validate_on_submit():
        try:
            service.set_retired(section, form.wanted(), now=dates.utcnow(), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("項目「%(heading)s」をテンプレートから外しました。書かれた内容は残ります。", heading=section.heading)
                  if form.wanted() else _("項目「%(heading)s」をテンプレートに戻しました。", heading=section.heading),
                  "info")
    return redirect(url_for("proposals.template_show", cohort_id=cohort.id) + f"#ts-{section_id}")


@bp.route("/cohorts/<int:cohort_id>/proposal-template/criteria", methods=["POST"])
def template_add_criterion(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    template = service.ensure_template(db.session, cohort, actor=current_user)
    form = CriterionForm()
    if form.validate_on_submit():
        service.add_criterion(db.session, template, name=form.name.data or "", description=form.description.data or "",
                              levels=form.levels(), actor=current_user)
        db.session.commit()
        flash(_("観点「%(name)s」を追加しました。", name=form.name.data), "success")
        return redirect(url_for("proposals.template_show", cohort_id=cohort.id))
    return _page(cohort, template, criterion_form=form, status=400)


@bp.route("/cohorts/<int:cohort_id>/proposal-template/criteria/<int:criterion_id>", methods=["GET", "POST"])
def template_criterion(cohort_id: int, criterion_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    criterion = _criterion(_existing(cohort), criterion_id)
    form = CriterionForm(obj=criterion) if request.method == "GET" else CriterionForm()
    if request.method == "POST" and form.validate_on_submit():
        service.update_criterion(criterion, name=form.name.data or "", description=form.description.data or "",
                                 levels=form.levels(), actor=current_user)
        db.session.commit()
        flash(_("観点「%(name)s」を保存しました。", name=criterion.name), "success")
        return redirect(url_for("proposals.template_show", cohort_id=cohort.id) + f"#tc-{criterion.id}")
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/template_criterion.html", cohort=cohort, criterion=criterion, form=form), status


@bp.route("/cohorts/<int:cohort_id>/proposal-template/criteria/<int:criterion_id>/move", methods=["POST"])
def template_move_criterion(cohort_id: int, criterion_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    template = _existing(cohort)
    form = MoveForm()
    if form.validate_on_submit():
        service.move(template.criteria, _criterion(template, criterion_id), form.step())
        template.updated_by_id = current_user.id
        db.session.commit()
    return redirect(url_for("proposals.template_show", cohort_id=cohort.id) + f"#tc-{criterion_id}")


@bp.route("/cohorts/<int:cohort_id>/proposal-template/criteria/<int:criterion_id>/retire", methods=["POST"])
def template_retire_criterion(cohort_id: int, criterion_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.edit_template(current_user, cohort))
    criterion = _criterion(_existing(cohort), criterion_id)
    form = RetireForm()
    if form.validate_on_submit():
        service.set_retired(criterion, form.wanted(), now=dates.utcnow(), actor=current_user)
        db.session.commit()
        flash(_("観点「%(name)s」の設定を変更しました（今後の査読ラウンドに反映されます）。", name=criterion.name), "info")
    return redirect(url_for("proposals.template_show", cohort_id=cohort.id) + f"#tc-{criterion_id}")
