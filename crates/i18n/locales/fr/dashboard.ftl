# Le tableau de bord des coordinateurs : les coordinateurs en voient tout ; les agents de
# manifeste les vols ; les auditeurs les alarmes et qui a lu des données personnelles. Ni les comptes ni les listes ne portent de nom.
dashboard-title = Tableau de bord de coordination
dashboard-title-manifest = Vols et manifestes
dashboard-title-auditor = Alertes de suivi des personnes et accès
dashboard-title-manifest-auditor = Vols, manifestes, alertes de suivi des personnes et accès
dashboard-who = Pour les coordinateurs. Les agents de manifeste voient les vols, les auditeurs les alarmes et qui a lu des données personnelles. Les listes montrent des références de dossier, jamais des noms.
dashboard-not-for-role = Cette page est réservée aux coordinateurs. Vous êtes connecté comme { $role } et le serveur a refusé : { $detail }
dashboard-live-on = En direct : connecté. Comptes mis à jour à { $time }
dashboard-live-off = Non connecté : reconnexion en cours. Comptes mis à jour pour la dernière fois à { $time }
dashboard-attention = À traiter
dashboard-attention-none = Aucun incident ouvert et aucun ménage manquant.
dashboard-access = Qui a lu des données personnelles (24 dernières heures)
dashboard-access-hint = Pour chaque lecteur : ses requêtes, les dossiers distincts qu'elles nomment et le plus grand nombre de dossiers ouverts un par un en une heure. Une personne qui guide des appelants en ouvre quelques dizaines par heure ; une ligne marquée en a ouvert davantage : demandez-lui pourquoi.
dashboard-access-none = Personne n'a lu de données personnelles ces 24 dernières heures.
dashboard-access-reader = Lecteur
dashboard-access-roles = Rôles
dashboard-access-requests = Requêtes
dashboard-access-cases = Dossiers
dashboard-access-busiest = Heure la plus chargée : dossiers ouverts
dashboard-access-busiest-hour = { $cases }, à partir de { $time }
dashboard-access-busiest-marked = { $cases }, à partir de { $time } : plus de { $over }, demandez pourquoi
dashboard-access-pass-links = Liens de laissez-passer (sans connexion)
dashboard-incidents = Incidents ouverts
dashboard-alarms = Alarmes de personnes manquantes
dashboard-incident = Incident { $id } : { $kind }
dashboard-incident-double_admission = Le même laissez-passer a été admis deux fois
dashboard-incident-wrong_rv = Un laissez-passer a été admis au mauvais point de rendez-vous
dashboard-incident-outside_window = Un laissez-passer a été admis hors de son créneau
dashboard-incident-revoked_pass = Un laissez-passer révoqué a été admis
dashboard-incident-superseded_pass = Un laissez-passer remplacé a été admis
dashboard-incident-unknown_pass = Un laissez-passer qu’aucun ménage ne détient a été admis
dashboard-incident-clock_skew = L’horloge d’un appareil est fausse
dashboard-incident-head_count = Le nombre de personnes ne correspond pas
dashboard-incident-partial_arrival = Une partie seulement d’un ménage est arrivée
dashboard-incident-not_departed = Admis, départ jamais signalé
dashboard-incident-refused = Un enregistrement d’appareil a été refusé
dashboard-resolve = Résoudre
dashboard-resolve-incident = Résoudre l’incident { $id }
dashboard-incident-resolved = L’incident { $id } est résolu.
dashboard-note = Ce qui a été constaté et ce qui a été fait
dashboard-alarm = Convoi { $batch } : personnes manquantes
dashboard-alarm-balance = Parti du point de rendez-vous { $rv } vers la porte { $gate } avec { $departed ->
    [one] { $departed } personne
   *[other] { $departed } personnes
} ; arrivées : { $arrived }.
dashboard-alarm-deadline = Attendu à la porte avant { $time }.
dashboard-unaccounted-people = Personnes manquantes, pas encore résolues : { $people }
dashboard-resolve-case = Résoudre le dossier { $reference }
dashboard-resolve-case-text = Indiquez comment le ménage a été retrouvé. Le dossier avance selon l’issue.
dashboard-outcome = Issue
dashboard-outcome-arrived_late = Arrivé en retard à la porte
dashboard-outcome-returned_to_rv = Revenu au point de rendez-vous
dashboard-outcome-found_elsewhere = Retrouvé ailleurs (le dossier est retiré)
dashboard-outcome-recorded_missing = Toujours manquant (consigné)
dashboard-case-resolved = Le dossier { $reference } est résolu. Maintenant : { $stage }.
dashboard-funnel = Personnes à chaque étape
dashboard-side-stages = Hors du chemin de sortie
dashboard-totals = { $households ->
    [one] { $households } ménage
   *[other] { $households } ménages
}, personnes en tout : { $people }
dashboard-people = { $people ->
    [one] { $people } personne
   *[other] { $people } personnes
  }
dashboard-list = Lister
dashboard-list-stage = Lister les dossiers : { $stage }
dashboard-stage-registered = Enregistré
dashboard-stage-documents_verified = Documents vérifiés
dashboard-stage-eligible = Éligible
dashboard-stage-assigned = Créneau attribué
dashboard-stage-pass_issued = Laissez-passer délivré
dashboard-stage-admitted_at_rv = Au point de rendez-vous
dashboard-stage-in_escort = Sous escorte
dashboard-stage-arrived_at_gate = Arrivé à la porte
dashboard-stage-processed = Traité, en attente d’un vol
dashboard-stage-manifested = Sur un manifeste de vol
dashboard-stage-boarded = Embarqué
dashboard-stage-unaccounted = Manquant
dashboard-stage-no_show = Ne s’est pas présenté
dashboard-stage-reassigned = Réaffecté
dashboard-stage-withdrawn = Retiré
dashboard-stage-rejected = Non éligible
dashboard-cases = Dossiers par étape
dashboard-stage = Étape
dashboard-cases-caption = { $stage }, page { $page }
dashboard-cases-none = Aucun dossier à cette étape.
dashboard-reference = Dossier
dashboard-size = Taille
dashboard-place = Lieu
dashboard-priorities = Priorité
dashboard-actions = Actions
dashboard-rv = PR { $id }
dashboard-window = créneau { $id }
dashboard-gate = porte { $id }
dashboard-batch = convoi { $id }
dashboard-flight = vol { $id }
dashboard-priority-medical = médical
dashboard-priority-unaccompanied_minor = enfant seul
dashboard-priority-elderly = personne âgée
dashboard-priority-disability = handicap
dashboard-priority-pregnancy = grossesse
dashboard-issue = Délivrer le laissez-passer
dashboard-issue-text = Délivrer le laissez-passer du dossier { $reference } ?
dashboard-reissue = Délivrer à nouveau
dashboard-reissue-text = Délivrer un nouveau laissez-passer pour le dossier { $reference } ? Celui qu’il a maintenant cesse d’être valable.
dashboard-issued = Laissez-passer délivré pour le dossier { $reference } (laissez-passer { $index }).
dashboard-print = Imprimer le laissez-passer
dashboard-revoke = Révoquer le laissez-passer
dashboard-revoke-text = Révoquer le laissez-passer du dossier { $reference } ? Il ne sera plus accepté à aucun point de contrôle.
dashboard-revoked = Le laissez-passer du dossier { $reference } est révoqué.
dashboard-reason = Motif
dashboard-required = À remplir : { $field }
dashboard-numbers-only = { $field } : des numéros seulement, séparés par des virgules, par exemple 3, 4.
dashboard-register = Enregistrer un ménage
dashboard-household-language = Langue du ménage
dashboard-contact-phone = Téléphone de contact
dashboard-phone-hint = Toute forme courante : +93…, 0093…, 07…
dashboard-location = Position approximative (facultatif)
dashboard-location-hint = Latitude et longitude en degrés, sous la forme LAT,LON ; gardée à 100 m près environ
dashboard-location-invalid = Position : écrivez une latitude et une longitude en degrés, sous la forme LAT,LON
dashboard-needs-vehicle = Quelqu’un doit être transporté (accès en véhicule nécessaire)
dashboard-cannot-walk-far = Quelqu’un ne peut pas marcher longtemps
dashboard-member = Membre { $n }
dashboard-member-name = Nom en lettres latines
dashboard-member-native = Nom dans l’écriture de la personne
dashboard-member-birth = Date de naissance
dashboard-member-birth-hint = AAAA, AAAA-MM ou AAAA-MM-JJ
dashboard-add-member = Ajouter un membre
dashboard-remove-member = Retirer ce membre
dashboard-register-submit = Enregistrer
dashboard-registered = Enregistré : dossier { $reference }, { $people ->
    [one] { $people } personne
   *[other] { $people } personnes
  }.
dashboard-flights = Vols
dashboard-flight-number = Numéro de vol
dashboard-flight-departs = Départ
dashboard-flight-load = Sur le manifeste
dashboard-flight-loaded = { $manifested } sur { $capacity }
dashboard-flight-capacity = Places
dashboard-flight-new = Nouveau vol
dashboard-flight-create = Créer le vol
dashboard-flight-created = Vol { $number } créé.
dashboard-flight-change = Modifier
dashboard-flight-change-title = Modifier le vol { $number }
dashboard-flight-change-text = Personnes sur son manifeste : { $manifested }. Elles gardent leur place : il n'y a jamais moins de places qu'elles.
dashboard-flight-change-ok = Enregistrer la modification
dashboard-flight-changed = Vol { $number } modifié : départ { $time }, { $capacity ->
    [one] { $capacity } place
   *[other] { $capacity } places
}.
dashboard-flight-unchanged = Rien n'a été modifié. Changez une valeur, ou fermez avec Annuler.
dashboard-flight-delete = Supprimer
dashboard-flight-delete-title = Supprimer le vol { $number } du { $time } ?
dashboard-flight-delete-text = Personne n'est sur son manifeste. La suppression est inscrite au journal d'audit.
dashboard-flight-delete-ok = Supprimer le vol
dashboard-flight-deleted = Vol { $number } supprimé.
dashboard-manifest-page = Manifeste (impression)
dashboard-manifest-csv = Manifeste (CSV)
dashboard-manifest-title = Manifeste du vol { $number }
dashboard-manifest-text = Le manifeste contient des noms et des documents. Votre motif est inscrit au journal d’audit.
dashboard-manifest-case = Mettre sur un vol
dashboard-manifested = Le dossier { $reference } est sur le manifeste.
dashboard-manifest-onto = Mettre un foyer sur ce vol
dashboard-manifest-onto-title = Mettre un foyer sur le vol { $number }
dashboard-manifest-onto-text = La référence imprimée sur le laissez-passer d'un foyer enregistré à la porte.
dashboard-devices = Appareils de terrain
dashboard-device-new = Enrôler un appareil
dashboard-device-user = Nom d'utilisateur de l'escorte ou du personnel de la porte
dashboard-device-role = Rôle
dashboard-device-role-escort = Escorte
dashboard-device-role-gate = Porte
dashboard-device-places = Numéros des points de rendez-vous (escorte) ou des portes (porte), séparés par des virgules
dashboard-device-label = Libellé (par exemple RV 2 téléphone 1)
dashboard-device-create = Enrôler l'appareil
dashboard-device-enrolled = Appareil { $device } enrôlé. Faites lire ce code QR au scanner, ou donnez le numéro de l'appareil et le code : il sert une fois, jusqu'à { $time }, et ne sera plus affiché.
dashboard-device-qr-alt = Code QR d'enrôlement de l'appareil { $device }
dashboard-device-code = Code : { $code }
dashboard-device-list = Appareils enrôlés
dashboard-device-list-why = Un téléphone perdu, pris ou effacé : suspendez-le ici sans attendre.
dashboard-devices-none = Aucun appareil enrôlé pour l'instant.
dashboard-device-line = Appareil { $device } ({ $label }), { $user } : { $role }, { $places } ; { $state } ; { $sync }
dashboard-device-at-rvs = { $count ->
    [one] point de rendez-vous
   *[other] points de rendez-vous
} { $ids }
dashboard-device-at-gates = porte { $ids }
dashboard-device-state-waiting_for_key = attend sa première connexion
dashboard-device-state-active = actif
dashboard-device-state-suspended = suspendu
dashboard-device-synced = dernière synchronisation { $time }
dashboard-device-never-synced = jamais synchronisé
dashboard-device-suspend = Suspendre
dashboard-device-suspend-title = Suspendre l'appareil { $device } ({ $label }) ?
dashboard-device-suspend-text = Ses enregistrements et ses demandes de kit sont refusés dès maintenant, ses emplacements de porte lui sont retirés et son utilisateur est déconnecté partout. Si quelqu'un d'autre a pu ouvrir le téléphone, faites aussi tourner les clés des laissez-passer comme compromises.
dashboard-device-suspended = L'appareil { $device } ({ $label }) est suspendu.
dashboard-keys = Clés des laissez-passer
dashboard-keys-why = Un téléphone de terrain qui a pu être ouvert par quelqu'un d'autre contient des clés qui ouvrent les laissez-passer de ses lieux : suspendez-le ci-dessus, puis changez les clés ici.
dashboard-keys-active = Les laissez-passer sont signés maintenant avec la clé { $kid }.
dashboard-keys-compromised = { $count ->
    [one] Une clé précédente est marquée compromise : ses laissez-passer sont refusés.
   *[other] { $count } clés précédentes sont marquées compromises : leurs laissez-passer sont refusés.
}
dashboard-keys-rotate = Changer comme compromise
dashboard-keys-rotate-title = Changer les clés comme compromises ?
dashboard-keys-rotate-text = Chaque laissez-passer signé avec la clé actuelle est révoqué maintenant et, dans la même opération, un nouveau est délivré à chaque foyer qui doit encore venir à son point de rendez-vous. Les foyers voient le nouveau par leur lien ; les laissez-passer imprimés doivent être réimprimés. Les téléphones d'escorte et de porte chargent le nouveau kit en quelques minutes quand ils sont en ligne (aussitôt avec « Envoyer maintenant »).
dashboard-keys-not-reissued-at-gate = { $count ->
    [one] Un foyer déjà parti de son point de rendez-vous garde son laissez-passer révoqué : { $references }. La porte l'enregistre par sa référence.
   *[other] { $count } foyers déjà partis de leur point de rendez-vous gardent leur laissez-passer révoqué : { $references }. La porte les enregistre par leur référence.
}
dashboard-keys-not-reissued-reassign = { $count ->
    [one] Un foyer n'a pas reçu de nouveau laissez-passer (marqué absent, ou créneau passé) : { $references }. Réaffectez-le à un créneau ouvert, puis délivrez son laissez-passer.
   *[other] { $count } foyers n'ont pas reçu de nouveau laissez-passer (marqués absents, ou créneau passé) : { $references }. Réaffectez-les à un créneau ouvert, puis délivrez leurs laissez-passer.
}
dashboard-keys-rotated = Nouvelle clé { $kid } : { $revoked ->
    [one] 1 laissez-passer révoqué
   *[other] { $revoked } laissez-passer révoqués
}, { $reissued } délivrés à nouveau.
dashboard-field-users = Qui agit où
dashboard-field-users-why = Les escortes et le personnel des portes de cette opération, et les lieux où ils agissent maintenant, avec les numéros que prennent les formulaires ci-dessous.
dashboard-field-user-places = { $user } ({ $roles }) : points de rendez-vous : { $rvs } ; portes : { $gates }
dashboard-field-users-none = Aucune escorte ni personnel de porte dans cette opération pour l'instant.
dashboard-field-rvs-uncovered = Aucune escorte n'agit à ces points de rendez-vous, qui reçoivent des personnes : { $places }
dashboard-field-gates-uncovered = Aucun personnel n'agit à ces portes ouvertes : { $places }
dashboard-field-place = { $name } ({ $id })
dashboard-places-new = Lieux d'une escorte ou du personnel d'une porte
dashboard-places-why = Une escorte n'agit, et ses appareils ne servent, qu'aux points de rendez-vous donnés ici ; le personnel d'une porte qu'aux portes données ici. Cela remplace ses lieux précédents, dès maintenant.
dashboard-places-rvs = Numéros des points de rendez-vous (escorte), séparés par des virgules
dashboard-places-gates = Numéros des portes (personnel de la porte), séparés par des virgules
dashboard-places-save = Enregistrer les lieux
dashboard-places-none = aucun
dashboard-places-saved = { $user } agit désormais aux points de rendez-vous : { $rvs } ; portes : { $gates }.
