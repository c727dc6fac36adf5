// Every mutation the server knows, by type: the compiler checks that each one of `MutationType`
// has its handler (its rules, then its write). A new mutation is one more entry here, pointing
// at its family's module.
import type { Mutation, MutationType } from '../../../common/protocol.ts';
import type { Db } from '../../store/index.ts';
import { resend, revoke } from '../external/invitation-control.ts';
import { accept, block, decline } from '../external/request-answers.ts';
import { startExternal } from '../external/start-external.ts';
import {
  addMembers,
  createDirect,
  createGroup,
  leave,
  mute,
  read,
  removeMember,
  rename,
  unmute
} from './chats.ts';
import type { Applied, Handler, MutationContext, Refusal } from './context.ts';
import { send } from './messages.ts';

const handlers = {
  'chat.createDirect': createDirect,
  'chat.createGroup': createGroup,
  'chat.rename': rename,
  'chat.addMembers': addMembers,
  'chat.removeMember': removeMember,
  'chat.leave': leave,
  'chat.read': read,
  'chat.mute': mute,
  'chat.unmute': unmute,
  'message.send': send,
  'chat.startExternal': startExternal,
  'request.accept': accept,
  'request.decline': decline,
  'request.block': block,
  'invitation.resend': resend,
  'invitation.revoke': revoke
} satisfies { [T in MutationType]: Handler<T> };

/** Its handler's rules in order (the first refusal is the answer), then its write. */
export async function decideMutation(
  tx: Db,
  context: MutationContext,
  mutation: Mutation
): Promise<Applied | Refusal> {
  // The map's type ties each type to its handler; TypeScript cannot follow that through a
  // lookup by a union key, hence the one widening here.
  const handler = handlers[mutation.type] as Handler<MutationType>;
  for (const rule of handler.rules) {
    const refusal = await rule(tx, context, mutation);
    if (refusal) return refusal;
  }
  return handler.apply(tx, context, mutation);
}
