// French catalogue: typed against the English keys, so a missing or extra key fails the build.
// French typography: \u202f (narrow no-break space) before ? ! ;, \u00a0 before : and units.
import { MAX_GROUP_NAME_LENGTH, MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH } from '$common/limits';
import type { Messages } from './en';

/** 4\u202f000: French groups thousands with a narrow no-break space. */
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, '\u202f');

export const fr: Messages = {
  'app.name': 'Parley',
  'app.loading': 'Ouverture de Parley…',
  'app.offline': 'Vous êtes hors ligne. Parley affiche ce qui est enregistré sur cet appareil.',
  'app.updateReady': 'Une nouvelle version de Parley est prête',
  'app.reload': 'Recharger',
  'app.cancel': 'Annuler',
  'app.backToChats': 'Retour aux discussions',
  'app.notFound': 'Page introuvable',
  'app.error': 'Un problème est survenu',

  'auth.signin.title': 'Connexion à Parley',
  'auth.signin.intro':
    'Saisissez votre adresse e-mail ou votre numéro de téléphone\u00a0: nous vous enverrons un code.',
  'auth.signup.title': 'Créer votre compte Parley',
  'auth.signup.intro':
    'Indiquez votre nom et votre adresse e-mail ou votre numéro de téléphone. Nous vous enverrons un code pour le confirmer.',
  'auth.name.label': 'Votre nom',
  'auth.name.hint': 'Les personnes avec qui vous discutez voient ce nom.',
  'auth.address.label': 'E-mail ou numéro de téléphone',
  'auth.address.hint': 'Pour un numéro d’un autre pays, commencez par + et l’indicatif du pays.',
  'auth.sendCode': 'Envoyer le code',
  'auth.sending': 'Envoi…',
  'auth.code.title': 'Saisissez votre code',
  'auth.code.sentTo': 'Nous avons envoyé un code à 6 chiffres à {address}. Il expire {expires}.',
  'auth.code.label': 'Code à 6 chiffres',
  'auth.continue': 'Continuer',
  'auth.checking': 'Vérification…',
  'auth.resend': 'Renvoyer le code',
  'auth.resendIn': 'Renvoyer le code ({seconds}\u00a0s)',
  'auth.resent': 'Un nouveau code est en route.',
  'auth.otherAddress': 'Utiliser une autre adresse',
  'auth.nameRequired':
    'Aucun compte n’utilise encore cette adresse. Indiquez votre nom pour en créer un.',
  'auth.createAccount': 'Créer le compte',
  'auth.toSignup.question': 'Nouveau sur Parley\u202f?',
  'auth.toSignup.link': 'Créer un compte',
  'auth.toSignin.question': 'Vous avez déjà un compte\u202f?',
  'auth.toSignin.link': 'Se connecter',

  'validation.addressRequired': 'Saisissez votre adresse e-mail ou votre numéro de téléphone.',
  'validation.codeFormat': 'Saisissez les 6 chiffres reçus.',
  'validation.nameTooLong': `${MAX_GROUP_NAME_LENGTH} caractères au maximum.`,

  'error.offline': 'Vous êtes hors ligne. Vérifiez votre connexion et réessayez.',
  'error.timeout': 'Le serveur a mis trop de temps à répondre. Réessayez.',
  'error.server': 'Un problème est survenu de notre côté. Réessayez dans un instant.',
  'error.invalid_address': 'Ceci ne ressemble ni à une adresse e-mail ni à un numéro de téléphone.',
  'error.invalid_address.empty': 'Saisissez votre adresse e-mail ou votre numéro de téléphone.',
  'error.invalid_address.invalid_email':
    'Cette adresse e-mail n’est pas valide. Vérifiez-la et réessayez.',
  'error.invalid_address.invalid_phone':
    'Ce numéro de téléphone n’est pas valide. Pour un numéro d’un autre pays, commencez par + et l’indicatif du pays.',
  'error.invalid_address.confusable_email':
    'Cette adresse e-mail contient des caractères qui en imitent d’autres (signe kelvin, ı sans point, lettres de deux alphabets…). Saisissez-la avec des lettres ordinaires.',
  'error.invalid_address.phone_not_valid':
    'Ce numéro de téléphone n’existe pas. Vérifiez-le et réessayez.',
  'error.invalid_address.premium_rate_number': 'Les numéros surtaxés ne sont pas acceptés.',
  'error.invalid_address.shared_cost_number': 'Les numéros à coût partagé ne sont pas acceptés.',
  'error.invalid_address.email_too_long': 'Cette adresse e-mail est trop longue.',
  'error.invalid_address.quoted_local_part':
    'Les adresses e-mail entre guillemets ne sont pas prises en charge. Retirez les guillemets.',
  'error.invalid_address.missing_country_code': 'Commencez le numéro par + et l’indicatif du pays.',
  'error.invalid_address.country_not_allowed':
    'Votre organisation n’envoie pas de SMS vers les numéros de ce pays.',
  'error.invalid_address.sms_country_not_allowed':
    'Les codes ne peuvent pas être envoyés par SMS aux numéros de ce pays. Utilisez votre adresse e-mail.',
  'error.invalid_address.email_only':
    'Avec un compte personnel, vous ne pouvez démarrer une discussion qu’avec une adresse e-mail.',
  'error.rate_limited': 'Trop de tentatives. Réessayez {when}.',
  'error.rate_limited.noWait': 'Trop de tentatives. Patientez un peu avant de réessayer.',
  'error.invalid_code': 'Ce code n’est pas le bon. Vérifiez-le et réessayez.',
  'error.code_expired': 'Ce code a expiré. Demandez-en un nouveau.',
  'error.code_attempts_exceeded': 'Trop de codes erronés. Demandez-en un nouveau.',
  'error.invalid_request': 'Un élément du formulaire est incorrect. Vérifiez-le et réessayez.',
  'error.unauthenticated': 'Votre session a pris fin. Reconnectez-vous.',
  'error.forbidden': 'Vous n’êtes pas autorisé à faire cela.',
  'error.invitation_invalid':
    'Ce lien d’invitation n’est plus valable. Il a peut-être expiré, déjà servi ou été retiré. Demandez à la personne qui vous a invité de vous en envoyer un nouveau.',
  'error.invitation_address_mismatch':
    'Vous êtes connecté avec une autre adresse. Pour utiliser cette invitation, déconnectez-vous puis rouvrez le lien.',
  'error.name_required': 'Indiquez votre nom pour créer votre compte.',
  'error.name_empty': 'Saisissez votre nom.',
  'error.name_too_long': `Votre nom doit faire ${MAX_NAME_LENGTH} caractères au maximum.`,
  'error.name_invisible_characters':
    'Votre nom contient des caractères invisibles ou qui changent le sens du texte. Saisissez-le à nouveau sans eux.',
  'error.name_contains_url':
    'Un nom ne peut pas contenir d’adresse web : les personnes que vous invitez voient votre nom.',
  'error.name_contains_email': 'Un nom ne peut pas contenir d’adresse e-mail.',
  'error.name_contains_phone': 'Un nom ne peut pas contenir de numéro de téléphone.',

  'home.title': 'Discussions',
  'home.profile': 'Profil',
  'home.empty.title': 'Aucune discussion pour l’instant',
  'home.empty.body':
    'Quand vous commencez une conversation, ou qu’une personne extérieure à votre organisation vous envoie une demande de discussion, elle apparaît ici.',

  'profile.title': 'Profil',
  'profile.details': 'Vos informations',
  'profile.name.label': 'Nom',
  'profile.email.label': 'E-mail',
  'profile.phone.label': 'Téléphone',
  'profile.account.label': 'Compte',
  'profile.account.personal': 'Compte personnel',
  'profile.organization.label': 'Organisation',
  'profile.role.admin': 'Administrateur',
  'profile.role.member': 'Membre',
  'profile.region.label': 'Pays du téléphone',
  'profile.region.hint': 'Sert à lire les numéros écrits sans indicatif de pays.',
  'profile.region.managed': 'Défini par {organization}.',
  'profile.save': 'Enregistrer',
  'profile.saving': 'Enregistrement…',
  'profile.saved': 'Enregistré.',
  'profile.offlineEdit':
    'Vous êtes hors ligne. Vous pourrez modifier vos informations une fois reconnecté.',
  'profile.language.label': 'Langue',
  'profile.language.auto': 'Automatique ({language})',
  'profile.language.en': 'English',
  'profile.language.fr': 'Français',
  'profile.language.savedLocally':
    'Langue changée sur cet appareil. Elle sera enregistrée dans votre compte une fois reconnecté.',
  'profile.session': 'Sessions',
  'profile.signOut': 'Se déconnecter',
  'profile.signOutAll': 'Se déconnecter de tous les appareils',
  'profile.signOutAll.hint':
    'Met fin à votre session sur tous vos téléphones et ordinateurs, y compris celui-ci.',
  'profile.signOutAll.confirm': 'Se déconnecter de Parley sur tous vos appareils\u202f?',
  'profile.signOut.offline':
    'Vous êtes hors ligne. La déconnexion nécessite une connexion pour que votre session prenne aussi fin sur le serveur.',
  'profile.requests.title': 'Demandes de discussion',
  'profile.requests.managed': 'Demandes de discussion de l’extérieur de {organization}',
  'profile.requests.personal': 'Demandes de discussion de personnes que vous n’avez pas acceptées',
  'profile.requests.hintOn':
    'Activé\u00a0: les nouvelles demandes apparaissent dans votre liste pour que vous les acceptiez ou les refusiez.',
  'profile.requests.hintOff':
    'Désactivé\u00a0: les nouvelles demandes sont ignorées, sans que leurs auteurs le sachent. Les discussions acceptées continuent de fonctionner.',
  'profile.requests.failed': 'Enregistrement impossible\u00a0: {reason}',

  'join.title': 'Rejoindre une discussion sur Parley',
  'join.invited': '{name} de {organization} vous invite à discuter sur Parley',
  'join.invitedPersonal': '{name} vous invite à discuter sur Parley',
  'join.address': 'L’invitation a été envoyée à {address}.',
  'join.expires': 'Elle expire le {date}.',
  'join.name.hint': 'Un compte personnel sera créé pour cette adresse. {name} verra ce nom.',
  'join.join': 'Rejoindre',
  'join.joining': 'Connexion…',
  'join.signedInAs': 'Vous êtes connecté en tant que {name}.',
  'join.loading': 'Vérification de votre invitation…',
  'join.noToken': 'Ce lien est incomplet. Rouvrez le lien du message, en entier.',
  'join.refuseLink': 'Pas intéressé\u202f? Refuser les invitations de {name}',
  'join.signOut': 'Se déconnecter',
  'join.opening': 'Ouverture de la discussion…',

  'refuse.title': 'Refuser les invitations',
  'refuse.button': 'Refuser les invitations de {name}',
  'refuse.refusing': 'Refus en cours…',
  'refuse.explain':
    '{name} ne pourra plus inviter {address} ni lui envoyer de demandes de discussion. {name} n’en sera pas informé.',
  'refuse.done': 'C’est fait. Vous ne recevrez plus d’invitations de {name} à {address}.',
  'refuse.close': 'Vous pouvez fermer cette page.',
  'home.newChat': 'Nouvelle discussion',
  'home.loading': 'Chargement de vos discussions…',
  'home.requests': 'Demandes de discussion',
  'home.requests.count': '{count}\u00a0en attente de votre réponse',

  'chats.you': 'Vous\u00a0: {text}',
  'chats.unread.one': '{count} non lu',
  'chats.unread.other': '{count} non lus',
  'chats.pending': 'En attente d’envoi',
  'chats.noMessages': 'Aucun message pour l’instant',
  'chats.group': 'Groupe',
  'chats.left': 'Vous ne faites plus partie de cette discussion',
  'chats.members.one': '{count}\u00a0membre',
  'chats.members.other': '{count}\u00a0membres',
  'chats.request.sent': 'Demande de discussion envoyée',
  'chats.muted': 'Notifications coupées',

  'external.label': 'Externe',
  'external.personal': 'Compte personnel',
  'external.banner.direct': '{name} ne fait pas partie de votre organisation.',
  'external.banner.group': 'Cette discussion inclut des personnes extérieures à {organization}.',
  'external.banner.others': 'Cette discussion inclut des personnes d’autres organisations.',
  'external.banner.personal': '{name} fait partie de {organization}.',
  'external.banner.personalAccount': '{name} utilise un compte personnel.',

  'request.invitation.sent': 'Invitation envoyée · expire le {date}',
  'request.invitation.expired': 'Invitation expirée le {date}',
  'request.invitation.revoked': 'Invitation retirée',
  'request.resend': 'Renvoyer l’invitation',
  'request.revoke': 'Retirer l’invitation',
  'request.revokeConfirm':
    'Retirer l’invitation\u202f? Son lien cessera de fonctionner et vous ne pourrez plus envoyer de messages avant de la renvoyer.',
  'request.resent': 'Une nouvelle invitation est en route.',
  'request.revoked': 'Invitation retirée.',
  'request.cap.one': '{used} sur {count}\u00a0message avant que {address} accepte',
  'request.cap.other': '{used} sur {count}\u00a0messages avant que {address} accepte',
  'request.capReached.one':
    'Vous avez envoyé {count}\u00a0message. Vous pourrez en envoyer d’autres quand {address} aura accepté.',
  'request.capReached.other':
    'Vous avez envoyé {count}\u00a0messages. Vous pourrez en envoyer d’autres quand {address} aura accepté.',
  'request.from': '{name} souhaite discuter avec vous',
  'request.why.title': 'Pourquoi est-ce que je vois ceci\u202f?',
  'request.why.managed':
    'Une personne extérieure à votre organisation a écrit à {address}. Vous pouvez désactiver les demandes de discussion dans votre profil.',
  'request.why.personal':
    'Une personne que vous n’avez pas acceptée a écrit à {address}. Vous pouvez désactiver les demandes de discussion dans votre profil.',
  'request.preview':
    'Ses messages s’affichent en texte brut jusqu’à ce que vous acceptiez. Les liens ne s’ouvrent pas.',
  'request.accept': 'Accepter',
  'request.decline': 'Refuser',
  'request.block': 'Bloquer',
  'request.blockConfirm':
    'Bloquer {name}\u202f? Cette personne ne pourra plus vous envoyer de demandes ni de messages, quelle que soit l’adresse. Elle n’en sera pas informée.',
  'requests.title': 'Demandes de discussion',
  'requests.empty': 'Aucune demande de discussion.',
  'requests.intro':
    'Des personnes extérieures à votre organisation qui souhaitent discuter avec vous. Elles ne voient pas si vous avez lu leurs messages tant que vous n’avez pas accepté.',

  'chat.details': 'Détails de la discussion',
  'chat.notFound': 'Cette discussion n’est pas sur cet appareil.',
  'chat.messages': 'Messages',
  'chat.empty': 'Aucun message pour l’instant. Dites bonjour\u202f!',
  'chat.loadingOlder': 'Chargement des messages plus anciens…',
  'chat.olderOffline': 'Les messages plus anciens nécessitent une connexion.',
  'chat.olderFailed': 'Les messages plus anciens n’ont pas pu être chargés.',
  'chat.beginning': 'C’est le début de la discussion.',
  'chat.newMessages': 'Nouveaux messages',
  'chat.pending': 'En attente d’envoi',
  'chat.notSent': 'Non envoyé\u00a0: {reason}',
  'chat.retry': 'Réessayer',
  'chat.copy': 'Copier',
  'chat.copied': 'Copié.',
  'chat.delete': 'Supprimer',
  'chat.seen': 'Vu',
  'chat.seenBy': 'Vu par {names}',
  'chat.composer.label': 'Message',
  'chat.composer.placeholder': 'Écrire un message',
  'chat.send': 'Envoyer',
  'chat.counter': '{count} caractères sur {max}',
  'chat.inactive': 'Vous ne faites plus partie de cette discussion. Vous pouvez toujours la lire.',
  'chat.refused': 'Cette discussion n’a pas pu être créée\u00a0: {reason}',
  'chat.discard': 'Supprimer cette discussion',
  'chat.notice': 'Une modification n’a pas été faite\u00a0: {reason}',
  'chat.dismiss': 'Fermer',
  'chat.jumpToLatest': 'Aller au dernier message',

  'newChat.title': 'Nouvelle discussion',
  'newChat.mode.direct': 'Une personne',
  'newChat.mode.group': 'Groupe',
  'newChat.search.label': 'Rechercher dans votre organisation',
  'newChat.search.hint':
    'Par nom ou adresse e-mail. Les personnes extérieures apparaissent une fois qu’elles ont accepté une discussion avec vous.',
  'newChat.searching': 'Recherche…',
  'newChat.offline':
    'Trouver quelqu’un nécessite une connexion. Vos discussions existantes fonctionnent hors ligne.',
  'newChat.noResults':
    'Personne dans votre organisation ou vos contacts ne correspond à «\u00a0{query}\u00a0».',
  'newChat.start': 'Discuter avec {name}',
  'newChat.open': 'Discuter',
  'newChat.group.name': 'Nom du groupe',
  'newChat.group.members': 'Membres',
  'newChat.group.none': 'Personne n’a encore été ajouté.',
  'newChat.group.add': 'Ajouter {name}',
  'newChat.group.remove': 'Retirer {name}',
  'newChat.group.create': 'Créer le groupe',
  'newChat.group.needName': 'Donnez un nom au groupe.',
  'newChat.group.needMembers': 'Ajoutez au moins une personne.',
  'newChat.address.title': 'Une personne extérieure à votre organisation',
  'newChat.address.titlePersonal': 'Une nouvelle personne',
  'newChat.address.label': 'E-mail ou numéro de téléphone',
  'newChat.address.labelPersonal': 'Adresse e-mail',
  'newChat.address.hint':
    'Saisissez son adresse e-mail ou son numéro de téléphone complet. Si cette personne n’est pas encore sur Parley, nous l’inviterons.',
  'newChat.address.hintPersonal':
    'Saisissez l’adresse e-mail complète de la personne à joindre. Avec un compte personnel, seules les adresses e-mail fonctionnent.',
  'newChat.address.empty': 'Saisissez une adresse e-mail ou un numéro de téléphone.',
  'newChat.address.emptyPersonal': 'Saisissez une adresse e-mail.',
  'newChat.address.start': 'Démarrer la discussion',

  'settings.title': 'Détails de la discussion',
  'settings.name': 'Nom du groupe',
  'settings.rename': 'Renommer',
  'settings.renamed': 'Nom modifié.',
  'settings.members': 'Membres',
  'settings.you': '{name} (vous)',
  'settings.remove': 'Retirer',
  'settings.removeNamed': 'Retirer {name}',
  'settings.removeConfirm': 'Retirer {name} de ce groupe\u202f?',
  'settings.add': 'Ajouter des personnes',
  'settings.added': '{name} a été ajouté.',
  'settings.leave': 'Quitter le groupe',
  'settings.leaveConfirm': 'Quitter ce groupe\u202f? Vous ne recevrez plus ses messages.',
  'settings.direct': 'Une discussion à deux. Ses membres ne peuvent pas changer.',
  'settings.notifications': 'Notifications',
  'settings.mute': 'Couper les notifications',
  'settings.mute.hour': '1\u00a0heure',
  'settings.mute.hours8': '8\u00a0heures',
  'settings.mute.week': '1\u00a0semaine',
  'settings.mute.always': 'Jusqu’à ce que je les réactive',
  'settings.mutedUntil': 'Notifications coupées jusqu’à {when}.',
  'settings.mutedAlways': 'Notifications coupées jusqu’à ce que vous les réactiviez.',
  'settings.unmute': 'Réactiver',
  'settings.muted': 'Notifications coupées.',
  'settings.unmuted': 'Notifications réactivées.',
  'settings.personal': 'Compte personnel',
  'settings.request':
    'Une demande de discussion. Tant qu’elle n’est pas acceptée, vous ne voyez que l’adresse à laquelle vous avez écrit.',

  'refusal.chat_not_found': 'cette discussion n’existe pas ou vous n’en faites pas partie.',
  'refusal.user_not_found': 'cette personne n’est pas dans votre annuaire.',
  'refusal.not_a_member': 'cette personne ne fait pas partie de la discussion.',
  'refusal.message_too_long': `le message dépasse ${count(MAX_MESSAGE_LENGTH)}\u00a0caractères.`,
  'refusal.message_empty': 'le message est vide.',
  'refusal.invalid_name': `le nom doit compter de 1 à ${MAX_GROUP_NAME_LENGTH}\u00a0caractères.`,
  'refusal.direct_chat_exists': 'vous avez déjà une discussion avec cette personne.',
  'refusal.direct_chat_fixed':
    'une discussion à deux ne peut pas être renommée ni changer de membres.',
  'refusal.duplicate_id': 'il est entré en conflit avec un élément déjà sur le serveur.',
  'refusal.sequence_conflict':
    'la file d’attente de cet appareil était décalée par rapport au serveur.',
  'refusal.cap_reached': 'vous avez atteint le nombre de messages autorisés avant l’acceptation.',
  'refusal.recipient_unavailable': 'cette personne ne peut pas être jointe.',
  'refusal.policy_outbound_disabled':
    'votre organisation n’autorise pas les discussions avec l’extérieur pour le moment.',
  'refusal.invalid_address': 'cette adresse e-mail ou ce numéro ne peut pas être utilisé.',
  'refusal.rate_limited': 'trop d’invitations pour le moment. Réessayez plus tard.',
  'refusal.request_not_accepted': 'acceptez la demande avant de répondre.',
  'refusal.request_revoked':
    'vous avez retiré l’invitation. Renvoyez-la pour envoyer des messages.',
  'refusal.chat_read_only':
    'cette discussion est en lecture seule\u00a0: la règle d’une organisation bloque les nouveaux messages.',
  'refusal.policy_blocked_by_organization': 'votre organisation a bloqué cette personne.',
  'refusal.invalid_mute_until': 'une mise en sourdine doit finir dans le futur, d’ici un an.',

  'readOnly.outbound.ours':
    'Votre organisation a désactivé les discussions avec l’extérieur. Cette discussion est en lecture seule.',
  'readOnly.outbound.theirs':
    '{organization} a désactivé les discussions avec l’extérieur. Cette discussion est en lecture seule.',
  'readOnly.neutral':
    'Cette discussion est en lecture seule\u00a0: la règle d’une organisation bloque les nouveaux messages.',

  'profile.admin': 'Paramètres de l’organisation',
  'profile.admin.hint': 'Discussions externes, membres, personnes bloquées et journal d’audit.',

  'error.admin_only': 'Seuls les administrateurs de votre organisation peuvent faire cela.',
  'error.organization_not_found': 'Cette organisation n’existe pas ou n’est pas la vôtre.',
  'error.last_admin':
    'L’organisation doit garder au moins un administrateur. Nommez d’abord quelqu’un d’autre administrateur.',
  'error.member_not_found': 'Cette personne ne fait plus partie de l’organisation.',
  'error.cannot_remove_self':
    'Vous ne pouvez pas vous retirer vous-même. Demandez à un autre administrateur.',
  'error.account_removed':
    'Votre organisation a supprimé ce compte. Contactez son administrateur s’il s’agit d’une erreur.',
  'error.invalid_request_cap': 'Saisissez un nombre entier de 1 à 10.',
  'error.invalid_country': 'Ce code pays ne permet pas d’envoyer des SMS.',
  'error.country_not_allowed': 'Ce serveur n’envoie pas de SMS vers ce pays.',
  'error.invalid_limit': 'Saisissez un nombre entier, au plus la limite du serveur.',
  'error.invalid_domain': 'Saisissez un nom de domaine comme exemple.fr.',
  'error.own_domain': 'C’est l’un des domaines de votre organisation.',
  'error.own_member':
    'Cette personne fait partie de votre organisation. Modifiez plutôt ses réglages dans Membres.',
  'error.invalid_cursor': 'Cette page du journal d’audit n’existe plus. Rechargez la liste.',
  'error.invalid_date': 'Saisissez des dates comme 2026-06-01.',
  'push.title': 'Notifications',
  'push.switch': 'Notifications sur cet appareil',
  'push.hintOff':
    'Activez-les pour être prévenu des nouveaux messages quand Parley est fermé. Votre navigateur demandera alors si Parley peut afficher des notifications\u202f; Parley fonctionne très bien sans.',
  'push.hintOn':
    'Les nouveaux messages des discussions que vous ne regardez pas s’affichent en notification sur cet appareil. Les discussions en sourdine restent silencieuses.',
  'push.denied':
    'Les notifications de Parley sont bloquées dans les réglages de ce navigateur. Autorisez-les-y pour les activer.',
  'push.unsupported': 'Ce navigateur ne peut pas afficher les notifications de Parley.',
  'push.iosHint':
    'Sur iPhone et iPad, les notifications demandent Parley sur l’écran d’accueil\u00a0: touchez Partager, puis «\u00a0Sur l’écran d’accueil\u00a0», et ouvrez Parley depuis là.',
  'push.failed': 'Les notifications n’ont pas pu être modifiées\u00a0: {reason}',
  'install.title': 'Installer Parley',
  'install.button': 'Installer Parley',
  'install.hint':
    'S’ouvre comme une application depuis l’écran d’accueil ou le dock, et fonctionne hors ligne.',
  'install.iosHint':
    'Pour installer Parley sur iPhone ou iPad, touchez Partager, puis «\u00a0Sur l’écran d’accueil\u00a0».'
};
