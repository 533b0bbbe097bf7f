/*
 * Envoi des messages en attente (DESIGN §6), partagé par cbw-sender et
 * cbw-retry. L'horloge et le transport sont passés en paramètres pour que
 * les tests pilotent le temps (fenêtre de 60 s, délais 1/2/4 min) sans
 * attendre ; en production : horloge réelle et cbw_wa_send.
 *
 * Règles :
 *  - fenêtre glissante : jamais plus de `rate` appels à l'API dans
 *    n'importe quelle fenêtre de 60 s, comptés dans send_attempts (donc
 *    quels que soient les passages, redémarrages ou chevauchements) ;
 *    cadence régulière : un appel au plus toutes les 60000/rate ms ;
 *  - réclamation (status 'sending' + claimed_at + ligne send_attempts) dans
 *    une transaction courte AVANT l'appel ; Message 2 d'abord, puis par id ;
 *    seulement les lignes 'pending' dues (next_attempt_at NULL ou passé),
 *    d'une campagne 'sending' sans status_reason (en pause), contact non
 *    désabonné (sinon la ligne passe 'cancelled') ;
 *  - résultat : 'sent' + whatsapp_message_id + sent_at, ou 'failed' +
 *    error_code + error_message (français) + error_class + retryable +
 *    failed_at ; compteurs (déclencheurs) et statut de la campagne dans la
 *    même transaction ;
 *  - réclamation plus vieille que stale_ms : 'failed', classe 'unknown',
 *    « résultat inconnu », jamais renvoyée automatiquement ;
 *  - code « arrêt » (jeton, compte) : la campagne reçoit status_reason (en
 *    pause) et le passage s'arrête ; codes de limite de débit WhatsApp
 *    (4, 80007, 130429, 131048) : la ligne est réessayable et le passage
 *    s'arrête.
 */
#ifndef CBW_SEND_H
#define CBW_SEND_H

#include "err.h"

struct cbw_db;
struct cbw_wa_result;

/* Horloge en millisecondes depuis l'époque Unix, et attente. */
struct cbw_send_clock {
	long long	(*now_ms)(void *arg);
	void		(*sleep_ms)(void *arg, long long ms);
	void		 *arg;
};

/* Appel à l'API : envoie `body` (JSON) et remplit `res`. */
typedef void	(*cbw_send_transport)(void *arg, const char *body,
		    struct cbw_wa_result *res);

struct cbw_sender {
	struct cbw_db		*db;
	long			 rate;		/* SEND_RATE_PER_MINUTE (≥ 1) */
	long long		 run_ms;	/* durée maximale d'un passage */
	long long		 stale_ms;	/* âge d'une réclamation orpheline */
	int			 once;		/* 1 : ne jamais attendre (tests) */
	struct cbw_send_clock	 clock;
	cbw_send_transport	 transport;
	void			*transport_arg;
};

struct cbw_send_report {
	long	 sent;		/* acceptés par l'API */
	long	 failed;	/* échecs définitifs ou d'arrêt */
	long	 retryable;	/* échecs réessayables */
	long	 cancelled;	/* contact désabonné entre-temps */
	long	 stale;		/* réclamations orphelines marquées « résultat inconnu » */
	int	 stopped;	/* 1 : passage arrêté sur un code d'arrêt ou de limite */
	char	 stop_reason[256];
};

/*
 * Un passage : marque les réclamations orphelines, puis envoie les lignes
 * dues en respectant la fenêtre et la cadence, en revenant chercher les
 * lignes mises en file pendant le passage, jusqu'à run_ms ou (once) dès
 * qu'il faudrait attendre. CBW_OK, ou l'erreur de base (CBW_EBUSY, CBW_EDB).
 */
enum cbw_err	 cbw_send_run(struct cbw_sender *, struct cbw_send_report *);

/*
 * Appels encore permis à now_ms dans la fenêtre de 60 s ; *next_ms reçoit
 * l'instant (ms) où un appel sera de nouveau permis (fenêtre et cadence),
 * now_ms si tout de suite. Rend -1 en cas d'erreur de base.
 */
long		 cbw_send_room(struct cbw_db *, long rate, long long now_ms,
		    long long *next_ms);

/* Marque « résultat inconnu » les lignes 'sending' réclamées avant now - stale. */
enum cbw_err	 cbw_send_reap_stale(struct cbw_db *, long long now_ms,
		    long long stale_ms, long *n);

/*
 * cbw-retry : remet en 'pending' les échecs réessayables (retryable = 1)
 * avec retry_count < 3, next_attempt_at = failed_at + 1, 2 puis 4 minutes
 * (retry_count 0, 1, 2), retry_count + 1 ; jamais un contact désabonné ni
 * une campagne annulée. *n reçoit le nombre de lignes remises en file.
 */
enum cbw_err	 cbw_send_retry_due(struct cbw_db *, long long now_ms, long *n);
/*
 * Nombre de messages en attente d'envoi (statut pending), lu dans les
 * agrégats msg_status_counts (sans parcourir messages). CBW_OK ou CBW_EDB.
 */
enum cbw_err	 cbw_send_waiting(struct cbw_db *, long long *n);

/*
 * Statut d'une campagne 'sending' une fois tout traité : plus aucune ligne
 * Message 1 'pending'/'sending' ni d'échec qui sera réessayé
 * automatiquement → 'completed' (au moins un succès) ou 'failed', avec
 * completed_at. À appeler dans la transaction du changement de ligne.
 */
enum cbw_err	 cbw_send_settle(struct cbw_db *, long long campaign_id,
		    long long now_ms);

/* Horloge réelle (cbw_now_ms, nanosleep) pour les programmes cron. */
extern const struct cbw_send_clock cbw_send_real_clock;

/*
 * Ajout : arrêt demandé (SIGTERM/SIGINT). Le gestionnaire de signal du
 * programme cron le met à 1 ; cbw_send_run finit le message en cours puis
 * rend la main, et l'attente de cbw_send_real_clock s'interrompt.
 */
#include <signal.h>
extern volatile sig_atomic_t cbw_send_stop;

#endif
