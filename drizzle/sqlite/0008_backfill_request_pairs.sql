-- The cap counts per pair of people since 0005: requests still waiting when it came keep the
-- places their sender already used (each message the sender wrote in the request's chat).
INSERT INTO `request_pairs` (`sender_id`, `person`, `sent`)
SELECT `r`.`sender_id`, COALESCE(`r`.`recipient_id`, 'address:' || `r`.`address_key`), COUNT(*)
FROM `message_requests` `r`
JOIN `messages` `m` ON `m`.`chat_id` = `r`.`chat_id` AND `m`.`author_id` = `r`.`sender_id`
WHERE `r`.`status` <> 'accepted'
GROUP BY 1, 2
ON CONFLICT DO NOTHING;
