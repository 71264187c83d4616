# L'application de lecture des laissez-passer (/scanner/), hors ligne.
scanner-title = Lecteur de laissez-passer
scanner-enrol-title = Enregistrer cet appareil
scanner-enrol-intro = Un coordinateur vous donne un numéro d'appareil et un code à usage unique, ou un code QR qui contient les deux. Le code ne sert qu'une fois, pendant une heure. Connectez-vous d'abord, dans l'opération pour laquelle vous travaillez.
scanner-device = Numéro d'appareil
scanner-code-label = Code d'enregistrement (par exemple K7QM-2XD9-FH3T-8WPA)
scanner-enrol-button = Enregistrer et charger le kit
scanner-enrolled = Appareil enregistré et kit de terrain chargé. Il fonctionne désormais sans réseau.
scanner-scan-title = Vérifier un laissez-passer
scanner-place = Votre emplacement
scanner-rv-name = Point de rendez-vous { $id }
scanner-gate-name = Porte { $id }
scanner-device-name = Appareil { $device }, opération { $operation }
scanner-camera-label = Vue de la caméra : placez le code QR du laissez-passer dans le cadre
scanner-camera-start = Démarrer la caméra
scanner-camera-stop = Arrêter la caméra
scanner-camera-failed = La caméra n'a pas pu démarrer. Tapez ou collez plutôt le texte du laissez-passer ci-dessous.
scanner-enrol-camera-failed = La caméra n'a pas pu démarrer. Tapez plutôt ci-dessous le numéro d'appareil et le code affichés sur l'écran du coordinateur.
scanner-holder-legend = Document présenté par le porteur (facultatif)
scanner-holder-document = Numéro du document
scanner-holder-year = Année de naissance inscrite sur le document
scanner-pass-text = Texte du laissez-passer (si la caméra ne peut pas le lire)
scanner-check-button = Vérifier ce laissez-passer
scanner-batches-title = Groupes
scanner-no-batch = Aucun groupe
scanner-batch-name = Groupe { $batch }
scanner-batch-line = Groupe { $batch } vers la porte { $gate } : foyers { $households }, personnes { $people }
scanner-admit-into = Admettre dans
scanner-batch-gate = Porte vers laquelle marche le nouveau groupe
scanner-batch-open = Ouvrir un groupe
scanner-batch-opened = Groupe { $batch } ouvert, à destination de la porte { $gate }.
scanner-depart-batch = Groupe qui part
scanner-head-count = Personnes comptées à la porte
scanner-depart-button = Enregistrer le départ
scanner-head-count-needed = Choisissez un groupe ouvert et comptez au moins une personne.
scanner-departed = Le groupe { $batch } est parti avec { $count ->
    [one] { $count } personne
   *[other] { $count } personnes
  }.
scanner-departed-differs = Le groupe { $batch } est parti avec { $count ->
    [one] { $count } personne comptée
   *[other] { $count } personnes comptées
} ; admises dans le groupe : { $admitted }. Le coordinateur verra l'écart.
scanner-sync-title = Envoi des enregistrements
scanner-sync-button = Envoyer maintenant
scanner-kit-button = Actualiser le kit de terrain
scanner-signin-needed = Connectez-vous pour enregistrer cet appareil, envoyer les enregistrements et actualiser le kit. La vérification fonctionne sans connexion.
scanner-synced = Enregistrements envoyés : { $received }. Incidents signalés : { $incidents }.
scanner-kit-loaded = Kit de terrain actualisé.
scanner-kit-expires = Kit de terrain valable jusqu'au { $time }.
scanner-kit-expired = Le kit de terrain a expiré le { $time } : actualisez-le.
scanner-kit-expired-refuse = Le kit de terrain a expiré : actualisez-le avant de vérifier des laissez-passer. Rien n'a été enregistré.
scanner-clock-back-refuse = L'horloge de ce téléphone a reculé : réglez la bonne date et la bonne heure, puis vérifiez de nouveau le laissez-passer. Si elles sont déjà justes, appuyez sur « Envoyer maintenant » en ligne pour obtenir un nouveau kit. Rien n'a été enregistré.
scanner-kit-unusable = Le kit de terrain de cet appareil est inutilisable ({ $reason }) : actualisez-le.
scanner-no-kit = Aucun kit de terrain
scanner-online = En ligne
scanner-offline = Hors ligne
scanner-pending = En attente d'envoi : { $count }
scanner-list-age = Liste de révocation : { $hours } h
scanner-verdict-admit = ADMETTRE
scanner-verdict-refuse = REFUSER
scanner-code = Code : { $code }
scanner-people = Personnes : { $count }
scanner-window = Créneau : { $start } à { $end }
scanner-admit-button = Admettre { $count ->
    [one] { $count } personne
   *[other] { $count } personnes
  }
scanner-admitted = { $count ->
    [one] { $count } personne admise dans le groupe { $batch }.
   *[other] { $count } personnes admises dans le groupe { $batch }.
  }
scanner-refusal-recorded = Le refus est enregistré.
scanner-next-button = Laissez-passer suivant
scanner-arrive-people = Personnes arrivées
scanner-arrive-button = Enregistrer l'arrivée
scanner-check-in-button = Enregistrer la prise en charge
scanner-people-range = { $max ->
    [one] Indiquez { $max } personne.
   *[other] Indiquez entre 1 et { $max } personnes.
}
scanner-arrival-recorded = Arrivée enregistrée.
scanner-check-in-recorded = Prise en charge enregistrée.
scanner-stale-warning = Attention : la liste de révocation date de { $hours } h. Actualisez le kit dès que possible.
scanner-holder-unbound = Ce laissez-passer n'est lié à aucun document : vérifiez l'identité du porteur autrement.
scanner-reason-valid = Laissez-passer valide.
scanner-reason-wrong-rv = Laissez-passer authentique, mais pour un autre point de rendez-vous : cet appareil n'a pas sa clé.
scanner-reason-wrong-rv-here = Laissez-passer valide, mais pour un autre point de rendez-vous (RV { $rv }).
scanner-reason-early = Trop tôt : le créneau ouvre dans { $minutes } min.
scanner-reason-late = Trop tard : le créneau s'est fermé il y a { $minutes } min.
scanner-reason-not-yet-valid = Pas encore valide : ce laissez-passer devient valide dans { $minutes } min.
scanner-reason-expired = Expiré depuis { $minutes } min.
scanner-reason-status-list-stale = La liste de révocation date de { $hours } h : actualisez le kit avant d'admettre quiconque.
scanner-reason-revoked = Révoqué : ce laissez-passer n'est plus valide.
scanner-reason-superseded = Remplacé : un laissez-passer plus récent a été délivré à ce foyer.
scanner-reason-unknown-key = Clé inconnue : ce laissez-passer ne vient pas d'une opération connue de cet appareil.
scanner-reason-bad-signature = Falsifié ou endommagé : la signature ne correspond pas.
scanner-reason-holder-mismatch = Le document présenté ne correspond pas à ce laissez-passer.
scanner-reason-not-a-pass = Ce n'est pas un laissez-passer.
scanner-reason-old-format = Ce laissez-passer est d'un ancien format et doit être délivré à nouveau.
scanner-reason-status-list-missing = Aucune liste de révocation sur cet appareil : chargez un kit de terrain.
scanner-reason-clock-behind = L'horloge de cet appareil retarde de plus d'un jour sur la liste de révocation : réglez la bonne date et la bonne heure, puis vérifiez de nouveau le laissez-passer.
scanner-reason-tier-unreadable = Laissez-passer authentique, mais cet appareil n'a pas la clé pour en lire le détail.
scanner-error-offline = Pas de réseau : les enregistrements restent sur cet appareil et seront envoyés plus tard.
scanner-error-busy = Le serveur est occupé : les enregistrements restent sur cet appareil et seront renvoyés sous peu.
scanner-error-signin = Reconnectez-vous pour continuer.
scanner-error-not-found = Introuvable : vérifiez le numéro d'appareil et le code.
scanner-error-suspended = Cet appareil est suspendu : adressez-vous à un coordinateur.
scanner-error-refused = Le serveur a refusé ({ $code }) : { $message }
scanner-wipe-title = Effacer cet appareil
scanner-wipe-intro = Supprime la clé, le kit de terrain et les enregistrements non envoyés, et indique au serveur que la clé n'est plus valable.
scanner-wipe-button = Tout effacer maintenant
scanner-wipe-confirm = Effacer cet appareil ? Les enregistrements non envoyés seront perdus.
scanner-wipe-unreported = Le serveur n'a pas pu être prévenu ({ $reason }). Demandez à un coordinateur de suspendre cet appareil.
scanner-wiped = Cet appareil est effacé.
scanner-wiped-by-coordinator = Un coordinateur a suspendu cet appareil : il a été effacé.
scanner-status-label = État de l'appareil
scanner-signin-link = Se connecter
scanner-code-hint = Lettres et chiffres ; les tirets et les espaces ne comptent pas.
scanner-enrol-scan = Scanner le code QR du coordinateur
scanner-enrol-camera-label = Vue de la caméra : tenez le code QR d'enrôlement du coordinateur dans le cadre
scanner-enrol-qr-not = Ce n'est pas un code QR d'enrôlement : montrez à la caméra le code QR que l'écran du coordinateur donne pour cet appareil.
scanner-enrol-qr-other-op = Ce code QR enrôle un appareil de l'opération { $operation } : connectez-vous d'abord à cette opération.
scanner-kit-dropped = Le serveur a refusé la session de cet appareil : le kit de terrain a été supprimé de l'appareil. Reconnectez-vous pour en charger un nouveau.
scanner-no-kit-refuse = Aucun kit de terrain sur cet appareil : connectez-vous et chargez-en un avant de vérifier des laissez-passer. Rien n'a été enregistré.
