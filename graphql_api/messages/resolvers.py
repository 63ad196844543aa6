"""Customer e-mails through GraphQL: `customerMessages(returnRequestId)`, `mailSettings`,
`messageTemplates`, and the mutations that set the latter two."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from core.global_ids import return_request_key
from domain.customer_messages import (
    MessageEvent,
    MessageTemplate,
    checked_mail_settings,
    checked_template,
)
from domain.errors import DomainError, InvalidInput
from graphql_api.context import Info
from graphql_api.errors import user_errors
from graphql_api.messages.types import (
    CustomerMessageType,
    MailSettingsInput,
    MailSettingsPayload,
    MailSettingsType,
    MessageTemplateInput,
    MessageTemplatePayload,
    MessageTemplateType,
)
from persistence.customer_messages import MessageStore
from persistence.mail_configuration import (
    delete_message_template,
    mail_settings,
    message_templates,
    save_mail_settings,
    save_message_template,
)


@strawberry.type
class CustomerMessageQueries:
    @strawberry.field(
        description="The e-mails sent (or being sent) to the customer of one return request, "
        "oldest first: SENT, PENDING with the reason of the last failure, or FAILED and why."
    )
    async def customer_messages(
        self, info: Info, return_request_id: strawberry.ID
    ) -> list[CustomerMessageType]:
        context = info.context
        key = return_request_key(return_request_id)
        found = await MessageStore(context.db).for_request(context.tenant_id, key)
        return [CustomerMessageType.from_record(m) for m in found]

    @strawberry.field(description="The merchant's sender identity (nulls until set).")
    async def mail_settings(self, info: Info, merchant: str) -> MailSettingsType:
        async with info.context.db.read_session() as session:
            found = await mail_settings(session, info.context.tenant_id, merchant)
        return MailSettingsType.from_domain(found)

    @strawberry.field(description="The merchant's own e-mail templates, by event and language.")
    async def message_templates(self, info: Info, merchant: str) -> list[MessageTemplateType]:
        async with info.context.db.read_session() as session:
            found = await message_templates(session, info.context.tenant_id, merchant)
        return [MessageTemplateType.from_domain(t) for t in found]


@strawberry.type
class CustomerMessageMutations:
    @strawberry.mutation(description="Set the sender address, name and reply-to of e-mails.")
    async def update_mail_settings(
        self, info: Info, input: MailSettingsInput
    ) -> MailSettingsPayload:
        context = info.context
        try:
            settings = checked_mail_settings(input.to_domain())
            await save_mail_settings(
                context.db,
                context.tenant_id,
                settings,
                now=context.clock.now(),
                idempotency=context.idempotency,
            )
        except DomainError as error:
            return MailSettingsPayload(mail_settings=None, user_errors=user_errors(error))
        return MailSettingsPayload(
            mail_settings=MailSettingsType.from_domain(settings), user_errors=[]
        )

    @strawberry.mutation(
        description="Write the merchant's own e-mail for an event in a language (checked by "
        "rendering it before it is saved). For events not sent by default, this is what "
        "makes them sent."
    )
    async def set_message_template(
        self, info: Info, input: MessageTemplateInput
    ) -> MessageTemplatePayload:
        context = info.context
        try:
            template = _checked(input.to_domain(), context.template_problem)
            await save_message_template(
                context.db,
                context.tenant_id,
                template,
                now=context.clock.now(),
                idempotency=context.idempotency,
            )
        except DomainError as error:
            return MessageTemplatePayload(message_template=None, user_errors=user_errors(error))
        return MessageTemplatePayload(
            message_template=MessageTemplateType.from_domain(template), user_errors=[]
        )

    @strawberry.mutation(description="Back to our wording (or silence) for that event.")
    async def delete_message_template(
        self, info: Info, merchant: str, event: MessageEvent, language: str
    ) -> MessageTemplatePayload:
        context = info.context
        try:
            deleted = await delete_message_template(
                context.db,
                context.tenant_id,
                merchant,
                event,
                language,
                now=context.clock.now(),
                idempotency=context.idempotency,
            )
        except DomainError as error:
            return MessageTemplatePayload(message_template=None, user_errors=user_errors(error))
        errors = [] if deleted else user_errors(InvalidInput("no such template", field="event"))
        return MessageTemplatePayload(message_template=None, user_errors=errors)


def _checked(
    template: MessageTemplate, problem_of: Callable[[MessageTemplate], str | None] | None
) -> MessageTemplate:
    template = checked_template(template)
    problem = problem_of(template) if problem_of else None
    if problem:
        raise InvalidInput(f"the template does not render: {problem}", field="html")
    return template
