// What is typed in a chat's composer, kept in one place per person and chat: in memory, so a
// composer mounted again (the chat page swapping the request prompt for it as an acceptance
// syncs, a chat opened again) shows it at once and as it was left, and on the device, so a
// reload or a crash loses nothing either.
import { db as deviceDb, type ParleyDB } from '$lib/db';

/** How long typing may pause before the draft is written to the device. */
export const SAVE_DELAY_MS = 300;

export class Draft {
  #text = $state('');
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Settles once the device's copy has been read (a draft from an earlier visit). */
  readonly loaded: Promise<void>;

  constructor(
    private readonly db: ParleyDB,
    readonly chatId: string
  ) {
    this.loaded = db.drafts.get(chatId).then(
      (row) => {
        // Typing that started before the device answered wins.
        if (row && this.#text === '') this.#text = row.text;
      },
      () => undefined
    );
  }

  get text(): string {
    return this.#text;
  }

  /** Typing: kept in memory at once, on the device once typing pauses. */
  set text(value: string) {
    this.#text = value;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.save(), SAVE_DELAY_MS);
  }

  /** Writes the draft to the device now (a failure costs only the copy on disk). */
  async save(): Promise<void> {
    clearTimeout(this.#timer);
    try {
      if (this.#text)
        await this.db.drafts.put({ chatId: this.chatId, text: this.#text, savedAt: Date.now() });
      else await this.db.drafts.delete(this.chatId);
    } catch {
      // Storage unavailable: the draft lives as long as the page.
    }
  }
}

export class Drafts {
  // One draft per person and chat: another person signed in on this tab never sees it. Not
  // reactive on purpose: each draft's text is, and the set of drafts is never shown.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #open = new Map<string, Draft>();

  constructor(private readonly db: ParleyDB) {}

  /** The draft of `chatId` for `owner`, the same object each time it is asked for. */
  of(owner: string, chatId: string): Draft {
    const key = `${owner}\n${chatId}`;
    let draft = this.#open.get(key);
    if (!draft) {
      draft = new Draft(this.db, chatId);
      this.#open.set(key, draft);
    }
    return draft;
  }
}

export const drafts = new Drafts(deviceDb);
