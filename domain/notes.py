"""Notes and assignment: what the merchant's team writes on a request and who owns it."""

from __future__ import annotations

from datetime import datetime

from domain import events as ev
from domain.errors import NotFound
from domain.lifecycle import Action
from domain.parts import Note
from domain.request_state import ReturnRequestState
from domain.values import Actor, bounded_text, new_id


class NotesAndAssignment(ReturnRequestState):
    def add_note(self, *, text: str, at: datetime, actor: Actor) -> Note:
        self._require(Action.ADD_NOTE)
        note = Note(new_id("NT"), bounded_text(text, field="text"), at, actor.user)
        self.notes.append(note)
        self._record(ev.NoteAdded, at, actor, note_id=note.id, text=note.text)
        self._touch(at, actor)
        return note

    def delete_note(self, note_id: str, *, at: datetime, actor: Actor) -> None:
        self._require(Action.DELETE_NOTE)
        note = next((n for n in self.notes if n.id == note_id), None)
        if note is None:
            raise NotFound(f"note {note_id} not found on return request {self.id}", field="note_id")
        self.notes.remove(note)
        self._record(ev.NoteDeleted, at, actor, note_id=note_id)
        self._touch(at, actor)

    def assign(self, user: str | None, *, at: datetime, actor: Actor) -> None:
        self._require(Action.ASSIGN)
        user = bounded_text(user, field="assigned_to_user", limit=320) if user else None
        self.assigned_to_user = user
        self._record(ev.ReturnAssigned, at, actor, assigned_to_user=user)
        self._touch(at, actor)
