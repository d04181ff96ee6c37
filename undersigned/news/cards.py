"""An action as a post shows it: title, state, how many signed, a link to read it in full."""

from dataclasses import dataclass

from undersigned.letters.models import Letter


@dataclass
class ActionCard:
    kind: str  # "petition" or "letter"
    title: str
    summary: str
    state: str
    count: int
    url: str

    @classmethod
    def of(cls, action, language: str) -> "ActionCard | None":
        if not action.is_public:
            return None
        if isinstance(action, Letter):
            version = action.version_in(language) or action.original
            return cls(
                "letter",
                version.title,
                version.summary,
                action.public_state,
                action.signatories().count(),
                action.public_url(language),
            )
        text = action.text_in(language)
        return cls(
            "petition",
            text.title if text else action.slug,
            text.summary if text else "",
            action.public_state,
            action.signature_count(),
            action.public_url(language),
        )


def action_cards(post, language: str) -> list[ActionCard]:
    cards = (ActionCard.of(action, language) for action in post.actions())
    return [card for card in cards if card is not None]
