// Limits both sides enforce: the client as people type, the server as the authority. Counted in
// characters as people count them (code points: an emoji is one), after trimming.

/** A message's body (`message_too_long`). */
export const MAX_MESSAGE_LENGTH = 4000;

/** A person's display name (`name_too_long`, common/display-name.ts). */
export const MAX_NAME_LENGTH = 80;

/** A group chat's name (`invalid_name`): its own rule, as group names are not people's names. */
export const MAX_GROUP_NAME_LENGTH = 80;

/** Length as people count it: an emoji is one character, not two UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
