// The organisation of README.md's example (a dental practice), shared by the agent tests.
#pragma once
#include <boost/json/parse.hpp>

namespace vg::agent::testing {

inline boost::json::value dental_document() {
  return boost::json::parse(R"({
    "organization": {
      "id": "bright-smile", "name": "Bright Smile Dental", "timezone": "America/Chicago",
      "description": "A family dental practice in Austin.", "address": "100 Congress Ave, Austin, TX",
      "owner": {"phone": "+15125550100", "email": "owner@brightsmile.example"},
      "fallback_number": "+15125550101", "numbers": ["+15125550199"]
    },
    "assistants": [{
      "name": "Ava", "voice": "marin", "languages": ["en", "es"],
      "greeting": "Thanks for calling Bright Smile Dental, this is Ava. How can I help?",
      "hours": {"mon-fri": "08:00-17:00", "sat": "09:00-12:00"},
      "services": [{"name": "Cleaning", "minutes": 45, "price": 120,
                    "add_ons": [{"name": "Fluoride", "price": 25}]},
                   {"name": "Whitening", "minutes": 60, "price": 299.5, "description": "In-office whitening."}],
      "faqs": [{"q": "Do you take Delta Dental?", "a": "Yes, and most PPO plans."}],
      "booking_rules": ["Book at least 2 hours ahead", "No bookings on Sundays"],
      "templates": {"booking_confirmed": "Hi {name}, you're booked for {service} on {date} at {time}. Ref {ref}."},
      "tools": [
        {"name": "book_service", "description": "Book an appointment once name, phone, service, date and time are confirmed.",
         "parameters": {"type": "object", "required": ["name", "phone", "service", "date", "time"],
                        "properties": {"name": {"type": "string"}, "phone": {"type": "string", "format": "e164"},
                                       "service": {"type": "string"}, "date": {"type": "string", "format": "date"},
                                       "time": {"type": "string"}}},
         "action": {"save": "bookings", "then_sms": "booking_confirmed"}},
        {"name": "transfer_call", "description": "Hand the caller to a person.", "action": {"transfer": "fallback"}}
      ]
    }]
  })");
}

}  // namespace vg::agent::testing
