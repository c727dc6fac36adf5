// English catalogue: the reference every other language is checked against.
import type { AdminMessageKey } from './admin.en';
import { MAX_GROUP_NAME_LENGTH, MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH } from '$common/limits';

const count = (n: number) => n.toLocaleString('en');

export const en = {
  'app.name': 'Parley',
  'app.loading': 'Opening Parley…',
  'app.offline': 'You’re offline. Parley shows what is on this device.',
  'app.updateReady': 'A new version of Parley is ready',
  'app.reload': 'Reload',
  'app.cancel': 'Cancel',
  'app.backToChats': 'Back to chats',
  'app.notFound': 'Page not found',
  'app.error': 'Something went wrong',

  'auth.signin.title': 'Sign in to Parley',
  'auth.signin.intro': 'Enter your email address or phone number and we’ll send you a code.',
  'auth.signup.title': 'Create your Parley account',
  'auth.signup.intro':
    'Tell us your name and your email address or phone number. We’ll send you a code to confirm it.',
  'auth.name.label': 'Your name',
  'auth.name.hint': 'People you chat with see this name.',
  'auth.address.label': 'Email or phone number',
  'auth.address.hint':
    'For a phone number from another country, start with + and the country code.',
  'auth.sendCode': 'Send code',
  'auth.sending': 'Sending…',
  'auth.code.title': 'Enter your code',
  'auth.code.sentTo': 'We sent a 6-digit code to {address}. It expires {expires}.',
  'auth.code.label': '6-digit code',
  'auth.continue': 'Continue',
  'auth.checking': 'Checking…',
  'auth.resend': 'Resend code',
  'auth.resendIn': 'Resend code ({seconds}\u00a0s)',
  'auth.resent': 'A new code is on its way.',
  'auth.otherAddress': 'Use another address',
  'auth.nameRequired': 'No account uses this address yet. Enter your name to create one.',
  'auth.createAccount': 'Create account',
  'auth.toSignup.question': 'New to Parley?',
  'auth.toSignup.link': 'Create an account',
  'auth.toSignin.question': 'Already have an account?',
  'auth.toSignin.link': 'Sign in',

  'validation.addressRequired': 'Enter your email address or phone number.',
  'validation.codeFormat': 'Enter the 6 digits from the message.',
  'validation.nameTooLong': `Use at most ${MAX_GROUP_NAME_LENGTH} characters.`,

  'error.offline': 'You’re offline. Check your connection and try again.',
  'error.timeout': 'The server took too long to answer. Try again.',
  'error.server': 'Something went wrong on our side. Try again in a moment.',
  'error.invalid_address': 'That doesn’t look like an email address or a phone number.',
  'error.invalid_address.empty': 'Enter your email address or phone number.',
  'error.invalid_address.invalid_email': 'That email address isn’t valid. Check it and try again.',
  'error.invalid_address.confusable_email':
    'That email address has characters that look like others (such as a Kelvin sign, a dotless ı or letters from two alphabets). Type it with ordinary letters.',
  'error.invalid_address.invalid_phone':
    'That phone number isn’t valid. For a number from another country, start with + and the country code.',
  'error.invalid_address.phone_not_valid':
    'That phone number doesn’t exist. Check it and try again.',
  'error.invalid_address.premium_rate_number': 'Premium-rate numbers can’t be used.',
  'error.invalid_address.shared_cost_number': 'Shared-cost numbers can’t be used.',
  'error.invalid_address.email_too_long': 'That email address is too long.',
  'error.invalid_address.quoted_local_part':
    'Email addresses in quotation marks aren’t supported. Remove the quotes.',
  'error.invalid_address.missing_country_code':
    'Start the phone number with + and the country code.',
  'error.invalid_address.country_not_allowed':
    'Your organization doesn’t send text messages to numbers in that country.',
  'error.invalid_address.sms_country_not_allowed':
    'Codes can’t be sent by text message to numbers in that country. Use your email address.',
  'error.invalid_address.email_only':
    'With a personal account you can start chats with an email address only.',
  'error.rate_limited': 'Too many attempts. Try again {when}.',
  'error.rate_limited.noWait': 'Too many attempts. Wait a little and try again.',
  'error.invalid_code': 'That code isn’t right. Check it and try again.',
  'error.code_expired': 'That code has expired. Ask for a new one.',
  'error.code_attempts_exceeded': 'Too many wrong codes. Ask for a new one.',
  'error.invalid_request': 'Something in the form isn’t right. Check it and try again.',
  'error.unauthenticated': 'Your session has ended. Sign in again.',
  'error.forbidden': 'You’re not allowed to do that.',
  'error.invitation_invalid':
    'This invitation link is no longer valid. It may have expired, been used already, or been withdrawn. Ask the person who invited you to send a new one.',
  'error.invitation_address_mismatch':
    'You’re signed in as another address. To use this invitation, sign out and open the link again.',
  'error.name_required': 'Enter your name to create your account.',
  'error.name_empty': 'Enter your name.',
  'error.name_too_long': `Use at most ${MAX_NAME_LENGTH} characters for your name.`,
  'error.name_invisible_characters':
    'Your name has invisible or direction-changing characters. Type it again without them.',
  'error.name_contains_url': 'A name can’t contain a web address: people you invite see your name.',
  'error.name_contains_email': 'A name can’t contain an email address.',
  'error.name_contains_phone': 'A name can’t contain a phone number.',

  'home.title': 'Chats',
  'home.profile': 'Profile',
  'home.empty.title': 'No chats yet',
  'home.empty.body':
    'When you start a conversation, or someone outside your organization sends you a message request, it shows up here.',

  'profile.title': 'Profile',
  'profile.details': 'Your details',
  'profile.name.label': 'Name',
  'profile.email.label': 'Email',
  'profile.phone.label': 'Phone',
  'profile.account.label': 'Account',
  'profile.account.personal': 'Personal account',
  'profile.organization.label': 'Organization',
  'profile.role.admin': 'Administrator',
  'profile.role.member': 'Member',
  'profile.region.label': 'Phone region',
  'profile.region.hint': 'Used to read phone numbers written without a country code.',
  'profile.region.managed': 'Set by {organization}.',
  'profile.save': 'Save',
  'profile.saving': 'Saving…',
  'profile.saved': 'Saved.',
  'profile.offlineEdit': 'You’re offline. You can change your details when you’re back online.',
  'profile.language.label': 'Language',
  'profile.language.auto': 'Automatic ({language})',
  'profile.language.en': 'English',
  'profile.language.fr': 'Français',
  'profile.language.savedLocally':
    'Language changed on this device. It will be saved to your account when you’re back online.',
  'profile.session': 'Sessions',
  'profile.signOut': 'Sign out',
  'profile.signOutAll': 'Sign out of all devices',
  'profile.signOutAll.hint': 'Ends your session on every phone and computer, this one included.',
  'profile.signOutAll.confirm': 'Sign out of Parley on all your devices?',
  'profile.signOut.offline':
    'You’re offline. Signing out needs a connection so your session also ends on the server.',
  'profile.requests.title': 'Message requests',
  'profile.requests.managed': 'Message requests from outside {organization}',
  'profile.requests.personal': 'Message requests from people you have not accepted',
  'profile.requests.hintOn':
    'On: new requests appear in your chat list for you to accept or decline.',
  'profile.requests.hintOff':
    'Off: new requests are dropped. The people who send them aren’t told. Chats you’ve accepted keep working.',
  'profile.requests.failed': 'Couldn’t save: {reason}',

  'join.title': 'Join a chat on Parley',
  'join.invited': '{name} from {organization} invited you to chat on Parley',
  'join.invitedPersonal': '{name} invited you to chat on Parley',
  'join.address': 'The invitation was sent to {address}.',
  'join.expires': 'It expires on {date}.',
  'join.name.hint': 'A personal account will be created for this address. {name} sees this name.',
  'join.join': 'Join',
  'join.joining': 'Joining…',
  'join.signedInAs': 'You’re signed in as {name}.',
  'join.loading': 'Checking your invitation…',
  'join.noToken': 'This link is incomplete. Open the link from the message again, in full.',
  'join.refuseLink': 'Not interested? Refuse invitations from {name}',
  'join.signOut': 'Sign out',
  'join.opening': 'Opening the chat…',

  'refuse.title': 'Refuse invitations',
  'refuse.button': 'Refuse invitations from {name}',
  'refuse.refusing': 'Refusing…',
  'refuse.explain':
    '{name} won’t be able to invite {address} or send it message requests again. {name} isn’t told.',
  'refuse.done': 'Done. You won’t get invitations from {name} at {address} again.',
  'refuse.close': 'You can close this page.',
  'home.newChat': 'New chat',
  'home.loading': 'Loading your chats…',
  'home.requests': 'Message requests',
  'home.requests.count': '{count} waiting for your answer',

  'chats.you': 'You: {text}',
  'chats.unread.one': '{count} unread',
  'chats.unread.other': '{count} unread',
  'chats.pending': 'Waiting to send',
  'chats.noMessages': 'No messages yet',
  'chats.group': 'Group',
  'chats.left': 'You’re no longer in this chat',
  'chats.members.one': '{count} member',
  'chats.members.other': '{count} members',
  'chats.request.sent': 'Message request sent',

  'external.label': 'External',
  'external.personal': 'Personal account',
  'external.banner.direct': '{name} is outside your organization.',
  'external.banner.group': 'This chat includes people outside {organization}.',
  'external.banner.others': 'This chat includes people from other organizations.',
  'external.banner.personal': '{name} is from {organization}.',
  'external.banner.personalAccount': '{name} uses a personal account.',

  'request.invitation.sent': 'Invitation sent · expires on {date}',
  'request.invitation.expired': 'Invitation expired on {date}',
  'request.invitation.revoked': 'Invitation withdrawn',
  'request.resend': 'Resend invitation',
  'request.revoke': 'Revoke invitation',
  'request.revokeConfirm':
    'Revoke the invitation? Its link stops working and you can’t send messages until you resend it.',
  'request.resent': 'A new invitation is on its way.',
  'request.revoked': 'Invitation withdrawn.',
  // Plural by the cap: "0 of 1 message", "3 of 10 messages".
  'request.cap.one': '{used} of {count} message before {address} accepts',
  'request.cap.other': '{used} of {count} messages before {address} accepts',
  'request.capReached.one':
    'You’ve sent {count} message. You can send more once {address} accepts.',
  'request.capReached.other':
    'You’ve sent {count} messages. You can send more once {address} accepts.',
  'request.from': '{name} wants to chat with you',
  'request.why.title': 'Why am I seeing this?',
  'request.why.managed':
    'Someone outside your organization wrote to {address}. You can turn message requests off in your profile.',
  'request.why.personal':
    'Someone you haven’t accepted wrote to {address}. You can turn message requests off in your profile.',
  'request.preview': 'Their messages show as plain text until you accept. Links don’t open.',
  'request.accept': 'Accept',
  'request.decline': 'Decline',
  'request.block': 'Block',
  'request.blockConfirm':
    'Block {name}? They can’t send you requests or messages again, from any address. They won’t be told.',
  'requests.title': 'Message requests',
  'requests.empty': 'No message requests.',
  'requests.intro':
    'People outside your organization who want to chat with you. They can’t see whether you’ve read their messages until you accept.',

  'chat.details': 'Chat details',
  'chat.notFound': 'This chat isn’t on this device.',
  'chat.messages': 'Messages',
  'chat.empty': 'No messages yet. Say hello!',
  'chat.loadingOlder': 'Loading earlier messages…',
  'chat.olderOffline': 'Earlier messages need a connection.',
  'chat.olderFailed': 'Earlier messages couldn’t be loaded.',
  'chat.beginning': 'This is the beginning of the chat.',
  'chat.newMessages': 'New messages',
  'chat.pending': 'Waiting to send',
  'chat.notSent': 'Not sent: {reason}',
  'chat.retry': 'Retry',
  'chat.copy': 'Copy',
  'chat.copied': 'Copied.',
  'chat.delete': 'Delete',
  'chat.seen': 'Seen',
  'chat.seenBy': 'Seen by {names}',
  'chat.composer.label': 'Message',
  'chat.composer.placeholder': 'Write a message',
  'chat.send': 'Send',
  'chat.counter': '{count} of {max} characters',
  'chat.inactive': 'You’re no longer in this chat. You can still read it.',
  'chat.refused': 'This chat couldn’t be created: {reason}',
  'chat.discard': 'Delete this chat',
  'chat.notice': 'A change wasn’t made: {reason}',
  'chat.dismiss': 'Dismiss',
  'chat.jumpToLatest': 'Jump to the latest message',

  'newChat.title': 'New chat',
  'newChat.mode.direct': 'One person',
  'newChat.mode.group': 'Group',
  'newChat.search.label': 'Search your organization',
  'newChat.search.hint':
    'By name or email address. People outside your organization show up once they’ve accepted a chat with you.',
  'newChat.searching': 'Searching…',
  'newChat.offline':
    'Finding people needs a connection. The chats you already have keep working offline.',
  'newChat.noResults': 'Nobody in your organization or your contacts matches “{query}”.',
  'newChat.start': 'Chat with {name}',
  'newChat.open': 'Chat',
  'newChat.group.name': 'Group name',
  'newChat.group.members': 'Members',
  'newChat.group.none': 'Nobody added yet.',
  'newChat.group.add': 'Add {name}',
  'newChat.group.remove': 'Remove {name}',
  'newChat.group.create': 'Create group',
  'newChat.group.needName': 'Give the group a name.',
  'newChat.group.needMembers': 'Add at least one person.',
  'newChat.address.title': 'Someone outside your organization',
  'newChat.address.titlePersonal': 'Someone new',
  'newChat.address.label': 'Email or phone number',
  'newChat.address.labelPersonal': 'Email address',
  'newChat.address.hint':
    'Type their full email address or phone number. If they aren’t on Parley yet, we’ll invite them.',
  'newChat.address.hintPersonal':
    'Type the full email address of the person to reach. With a personal account, only email addresses work.',
  'newChat.address.empty': 'Type an email address or a phone number.',
  'newChat.address.emptyPersonal': 'Type an email address.',
  'newChat.address.start': 'Start chat',

  'settings.title': 'Chat details',
  'settings.name': 'Group name',
  'settings.rename': 'Rename',
  'settings.renamed': 'Name changed.',
  'settings.members': 'Members',
  'settings.you': '{name} (you)',
  'settings.remove': 'Remove',
  'settings.removeNamed': 'Remove {name}',
  'settings.removeConfirm': 'Remove {name} from this group?',
  'settings.add': 'Add people',
  'settings.added': 'Added {name}.',
  'settings.leave': 'Leave group',
  'settings.leaveConfirm': 'Leave this group? You’ll stop getting its messages.',
  'settings.direct': 'A 1:1 chat. Its members can’t change.',
  'settings.personal': 'Personal account',
  'settings.request':
    'A message request. Until it’s accepted you only see the address you wrote to.',

  'refusal.chat_not_found': 'this chat doesn’t exist or you’re not in it.',
  'refusal.user_not_found': 'this person isn’t in your directory.',
  'refusal.not_a_member': 'this person isn’t in the chat.',
  'refusal.message_too_long': `the message is over ${count(MAX_MESSAGE_LENGTH)} characters.`,
  'refusal.message_empty': 'the message is empty.',
  'refusal.invalid_name': `the name must have 1 to ${MAX_GROUP_NAME_LENGTH} characters.`,
  'refusal.direct_chat_exists': 'you already have a chat with this person.',
  'refusal.direct_chat_fixed': '1:1 chats can’t be renamed or change members.',
  'refusal.duplicate_id': 'it clashed with something already on the server.',
  'refusal.sequence_conflict': 'this device’s queue was out of step with the server.',
  'refusal.cap_reached': 'you’ve reached the number of messages allowed before they accept.',
  'refusal.recipient_unavailable': 'this person can’t be reached.',
  'refusal.policy_outbound_disabled':
    'your organization doesn’t allow chats with people outside it right now.',
  'refusal.invalid_address': 'that email address or phone number can’t be used.',
  'refusal.rate_limited': 'too many invitations for now. Try again later.',
  'refusal.request_not_accepted': 'accept the request before replying.',
  'refusal.request_revoked': 'you withdrew the invitation. Resend it to send messages.',
  'refusal.chat_read_only':
    'this chat is read-only now: an organization’s policy stops new messages.',
  'refusal.policy_blocked_by_organization': 'your organization has blocked this person.',

  'readOnly.outbound.ours':
    'Your organization has turned off chats with people outside it. This chat is read-only.',
  'readOnly.outbound.theirs':
    '{organization} has turned off chats with people outside it. This chat is read-only.',
  'readOnly.neutral': 'This chat is read-only: an organization’s policy stops new messages.',

  'profile.admin': 'Organization settings',
  'profile.admin.hint': 'External chat, members, blocked people and the audit log.',

  'error.admin_only': 'Only your organization’s admins can do this.',
  'error.organization_not_found': 'This organization doesn’t exist or isn’t yours.',
  'error.last_admin':
    'The organization needs at least one admin. Make someone else an admin first.',
  'error.member_not_found': 'This person isn’t a member of the organization any more.',
  'error.cannot_remove_self': 'You can’t remove yourself. Ask another admin to do it.',
  'error.account_removed':
    'Your organization removed this account. Ask its admin if you think this is a mistake.',
  'error.invalid_request_cap': 'Enter a whole number from 1 to 10.',
  'error.invalid_country': 'That isn’t a country code we can send text messages to.',
  'error.country_not_allowed': 'This server doesn’t send text messages to that country.',
  'error.invalid_limit': 'Enter a whole number, at most the server’s own limit.',
  'error.invalid_domain': 'Enter a domain name such as example.com.',
  'error.own_domain': 'This is one of your organization’s own domains.',
  'error.own_member':
    'This person is a member of your organization. Change their settings under Members instead.',
  'error.invalid_cursor': 'This page of the audit log no longer exists. Reload the list.',
  'error.invalid_date': 'Enter dates such as 2026-06-01.',
  'push.title': 'Notifications',
  'push.switch': 'Notifications on this device',
  'push.hintOff':
    'Turn on to hear about new messages while Parley is closed. Your browser then asks whether Parley may show notifications; Parley works fully without them.',
  'push.hintOn':
    'New messages in chats you are not looking at show as notifications on this device. Muted chats stay silent.',
  'push.denied':
    'Notifications are blocked for Parley in this browser’s settings. Allow them there to turn them on.',
  'push.unsupported': 'This browser cannot show notifications from Parley.',
  'push.iosHint':
    'On iPhone and iPad, notifications need Parley on the Home Screen: tap Share, then “Add to Home Screen”, and open Parley from there.',
  'push.failed': 'Notifications could not be changed: {reason}',
  'install.title': 'Install Parley',
  'install.button': 'Install Parley',
  'install.hint': 'Opens like an app from your home screen or dock, and works offline.',
  'install.iosHint': 'To install Parley on iPhone or iPad, tap Share, then “Add to Home Screen”.'
} satisfies Record<string, string>;

/** Every key `t()` takes: this catalogue's and the admin page's (admin.en.ts, loaded with it). */
export type MessageKey = keyof typeof en | AdminMessageKey;
/** The messages every screen may show, in one language. */
export type Messages = Record<keyof typeof en, string>;
