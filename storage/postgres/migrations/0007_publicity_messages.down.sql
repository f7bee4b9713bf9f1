DROP TABLE publicity_messages;
