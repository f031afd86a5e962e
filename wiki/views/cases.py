"""The case library: browse with filters and search, read a case, propose one, decide on proposals, edit."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import dates
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from wiki import policy
from wiki.cases import services
from wiki.cases.forms import MESSAGES, CaseForm, DecisionForm
from wiki.cases.labels import FIELDS, KINDS
from wiki.cases.models import Case, CaseOrigin, CaseStatus
from wiki.views.blueprints import cases_bp
from wiki.views.common import field_error


def _arg(name: str, allowed: dict[str, object] | None = None) -> str:
    value = (request.args.get(name) or "").strip()[:100]
    return value if allowed is None or value in allowed else ""


@cases_bp.route("/cases")
def index():  # type: ignore[no-untyped-def]
    authorize(policy.read_cases(current_user))
    field, kind, city, q = _arg("field", FIELDS), _arg("kind", KINDS), _arg("city"), _arg("q")
    page = int(request.args["page"]) if request.args.get("page", "").isdecimal() else 1
    found = services.list_cases(db.session, field=field, kind=kind, city=city, q=q, page=page)
    return render_template("wiki/cases/index.html", found=found, field=field, kind=kind, city=city, q=q,
                           cities=services.city_choices(db.session), fields=FIELDS, kinds=KINDS,
                           pending=services.pending_count(db.session) if policy.review_cases(current_user) else 0)


@cases_bp.route("/cases/<slug>")
def show(slug: str):  # type: ignore[no-untyped-def]
    case = services.by_slug(db.session, slug)
    if case is None:
        abort(404)
    authorize(policy.view_case(current_user, case))
    return render_template("wiki/cases/show.html", case=case)


@cases_bp.route("/cases/new", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    authorize(policy.propose_case(current_user))
    form = CaseForm()
    if form.validate_on_submit():
        try:
            case = services.propose(db.session, form.to_input(), author=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            field_error(form, error, MESSAGES)
        else:
            db.session.commit()
            flash(_("事例を提案しました。ファシリテーターか事務局が確認してから事例集に載ります。"), "success")
            return redirect(url_for("cases.proposal", case_id=case.id))
    status = 400 if request.method == "POST" else 200
    return render_template("wiki/cases/form.html", form=form, case=None), status


@cases_bp.route("/cases/proposals")
def proposals():  # type: ignore[no-untyped-def]
    authorize(policy.propose_case(current_user))
    reviewer = policy.review_cases(current_user)
    return render_template("wiki/cases/proposals.html", reviewer=reviewer,
                           cases=services.proposals(db.session, user=current_user, all_of_them=reviewer))


def _proposal_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or case.origin is not CaseOrigin.PROPOSAL:
        abort(404)
    return case


@cases_bp.route("/cases/proposals/<int:case_id>", methods=["GET", "POST"])
def proposal(case_id: int):  # type: ignore[no-untyped-def]
    case = _proposal_or_404(case_id)
    authorize(policy.view_case(current_user, case))
    form = DecisionForm()
    if request.method == "POST":
        authorize(policy.decide_case(current_user, case))
        if form.validate_on_submit():
            now = dates.utcnow()
            try:
                if form.decision.data == "approve":
                    services.approve(db.session, case, reviewer=current_user, now=now, note=form.note.data or "",
                                     slug=(form.slug.data or "").strip())
                else:
                    services.reject(db.session, case, reviewer=current_user, now=now, note=form.note.data or "")
            except DomainError as error:
                db.session.rollback()
                field_error(form, error, MESSAGES)
            else:
                db.session.commit()
                if case.status is CaseStatus.PUBLISHED:
                    flash(_("事例集に採用しました。"), "success")
                    return redirect(url_for("cases.show", slug=case.slug))
                flash(_("この提案を見送りました。理由は提案した人に表示されます。"), "success")
                return redirect(url_for("cases.proposals"))
    status = 400 if request.method == "POST" else 200
    return render_template("wiki/cases/proposal.html", case=case, form=form,
                           can_decide=policy.decide_case(current_user, case)), status


@cases_bp.route("/cases/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):  # type: ignore[no-untyped-def]
    case = services.by_slug(db.session, slug)
    if case is None:
        abort(404)
    authorize(policy.edit_case(current_user, case))
    form = CaseForm(obj=case) if request.method == "GET" else CaseForm()
    form.submit.label.text = _("保存")
    if request.method == "GET":
        form.bodies.data = "、".join(case.body_names)
    elif form.validate_on_submit():
        try:
            services.edit(db.session, case, form.to_input(), editor=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            field_error(form, error, MESSAGES)
        else:
            db.session.commit()
            flash(_("事例を更新しました。"), "success")
            return redirect(url_for("cases.show", slug=case.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("wiki/cases/form.html", form=form, case=case), status
