package larksim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// Encrypt encrypts a webhook body the way Lark does when an Encrypt Key is
// set: AES-256-CBC with key sha256(encryptKey), PKCS7 padding, a random
// 16-byte IV, and the result base64(iv ‖ ciphertext). [D11][D13]
func Encrypt(encryptKey string, plain []byte) (string, error) {
	key := sha256.Sum256([]byte(encryptKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	buf := make([]byte, aes.BlockSize+len(plain)+pad)
	iv := buf[:aes.BlockSize]
	if _, err := rand.Read(iv); err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	data := buf[aes.BlockSize:]
	copy(data, plain)
	copy(data[len(plain):], bytes.Repeat([]byte{byte(pad)}, pad))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// Decrypt reverses Encrypt, checking the PKCS7 padding strictly.
func Decrypt(encryptKey, encrypted string) ([]byte, error) {
	buf, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	if len(buf) < 2*aes.BlockSize || len(buf)%aes.BlockSize != 0 {
		return nil, errors.New("decrypt: ciphertext length is not a positive multiple of the block size")
	}
	key := sha256.Sum256([]byte(encryptKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	data := make([]byte, len(buf)-aes.BlockSize)
	cipher.NewCBCDecrypter(block, buf[:aes.BlockSize]).CryptBlocks(data, buf[aes.BlockSize:])
	pad := int(data[len(data)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(data[len(data)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("decrypt: bad padding")
	}
	return data[:len(data)-pad], nil
}

// Signature returns X-Lark-Signature: hex(sha256(timestamp + nonce +
// encryptKey + body)), over the raw body bytes. [D11b]
func Signature(timestamp, nonce, encryptKey string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(timestamp + nonce + encryptKey))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}
