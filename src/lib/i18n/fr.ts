// French catalogue: typed against the English keys, so a missing or extra key fails the build.
// French typography: \u202f (narrow no-break space) before ? ! ;, \u00a0 before : and units.
import type { Messages } from './en';

export const fr: Messages = {
  'app.name': 'Parley',
  'app.loading': 'Ouverture de Parley…',
  'app.offline': 'Vous êtes hors ligne. Parley affiche ce qui est enregistré sur cet appareil.',
  'app.updateReady': 'Une nouvelle version de Parley est prête',
  'app.reload': 'Recharger',
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
  'validation.nameRequired': 'Saisissez votre nom.',
  'validation.nameTooLong': '80 caractères au maximum.',

  'error.offline': 'Vous êtes hors ligne. Vérifiez votre connexion et réessayez.',
  'error.timeout': 'Le serveur a mis trop de temps à répondre. Réessayez.',
  'error.server': 'Un problème est survenu de notre côté. Réessayez dans un instant.',
  'error.invalid_address': 'Ceci ne ressemble ni à une adresse e-mail ni à un numéro de téléphone.',
  'error.invalid_address.empty': 'Saisissez votre adresse e-mail ou votre numéro de téléphone.',
  'error.invalid_address.invalid_email':
    'Cette adresse e-mail n’est pas valide. Vérifiez-la et réessayez.',
  'error.invalid_address.invalid_phone':
    'Ce numéro de téléphone n’est pas valide. Pour un numéro d’un autre pays, commencez par + et l’indicatif du pays.',
  'error.invalid_address.phone_not_valid':
    'Ce numéro de téléphone n’existe pas. Vérifiez-le et réessayez.',
  'error.invalid_address.premium_rate_number': 'Les numéros surtaxés ne sont pas acceptés.',
  'error.invalid_address.shared_cost_number': 'Les numéros à coût partagé ne sont pas acceptés.',
  'error.rate_limited': 'Trop de tentatives. Réessayez {when}.',
  'error.rate_limited.noWait': 'Trop de tentatives. Patientez un peu avant de réessayer.',
  'error.invalid_code': 'Ce code n’est pas le bon. Vérifiez-le et réessayez.',
  'error.code_expired': 'Ce code a expiré. Demandez-en un nouveau.',
  'error.code_attempts_exceeded': 'Trop de codes erronés. Demandez-en un nouveau.',
  'error.invalid_request': 'Un élément du formulaire est incorrect. Vérifiez-le et réessayez.',
  'error.unauthenticated': 'Votre session a pris fin. Reconnectez-vous.',
  'error.forbidden': 'Vous n’êtes pas autorisé à faire cela.',

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
    'Vous êtes hors ligne. La déconnexion nécessite une connexion pour que votre session prenne aussi fin sur le serveur.'
};
